// Typing a reply: Enter sends, Shift+Enter breaks the line, "/" opens quick answers, files by button or paste.
// "Nota interna" (or Ctrl+Shift+N) writes a note for the team instead, where "@" suggests people to mention.
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState, type ClipboardEvent, type KeyboardEvent } from "react";
import { quickAnswers } from "../api/endpoints";
import { keys, useDirectory } from "../api/queries";
import type { Message } from "../api/types";
import { useMe } from "../auth/AuthProvider";
import { useI18n } from "../i18n/I18nProvider";
import { Icon } from "../ui/Icon";
import { EmojiPicker } from "./EmojiPicker";
import { VoiceRecorder } from "./VoiceRecorder";
import type { Draft } from "./outgoing";
import { matchPeople, mentionQuery, withMention } from "./mentions";
import { matchQuickAnswers, shortcutQuery } from "./quickAnswerMatch";
import { keepTypedReply, typedReply } from "./typedReplies";

interface ComposerProps {
  /** The chat's ticket: what is typed in it and not sent is kept for it. */
  ticketId: number;
  blockedReason: string | null;
  replyTo: Message | null;
  onCancelReply: () => void;
  file: File | null;
  onFile: (file: File | null) => void;
  onSend: (draft: Draft) => void;
  /** "Agendar mensagem", with what is typed so far: true once scheduled, false when the agent gave up. */
  onSchedule: (draft: string) => Promise<boolean>;
  /** A quick answer's variables filled for this ticket. */
  fillTemplate: (text: string) => Promise<string>;
  /** The agent typed a reply (true) or stopped: the customer sees "typing…". Never for notes. */
  onTyping: (typing: boolean) => void;
}

export function Composer({ ticketId, blockedReason, replyTo, onCancelReply, file, onFile, onSend, onSchedule, fillTemplate, onTyping }: ComposerProps) {
  const { t } = useI18n();
  const me = useMe();
  const [typed] = useState(() => typedReply(me.id, ticketId));
  const [text, setText] = useState(typed.text);
  const [note, setNote] = useState(typed.note);
  useEffect(() => keepTypedReply(me.id, ticketId, { text, note }), [me.id, ticketId, text, note]);
  const people = useDirectory().data ?? [];
  const [emojiOpen, setEmojiOpen] = useState(false);
  const [highlight, setHighlight] = useState(0);
  const input = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const answers = useQuery({ queryKey: keys.quickAnswers, queryFn: () => quickAnswers.list(), staleTime: 60_000 });
  const mentioning = note ? mentionQuery(text) : null;
  const mentionMatches = mentioning === null ? [] : matchPeople(people, mentioning);
  const query = note ? null : shortcutQuery(text);
  const matches = query === null ? [] : matchQuickAnswers(answers.data ?? [], query);
  const menuOpen = query !== null;

  const submit = () => {
    const body = text.trim();
    if (!body && !file) return;
    onSend(note ? { body, file: null, quoted: null, note: true } : { body, file, quoted: replyTo });
    onTyping(false);
    setText("");
    onFile(null);
    onCancelReply();
    input.current?.focus();
  };

  const choose = (answerText: string) => {
    setText(answerText);
    setHighlight(0);
    input.current?.focus();
    // Filled for the ticket as the customer will read it; unless the agent already changed the draft.
    fillTemplate(answerText).then(
      (filled) => setText((current) => (current === answerText ? filled : current)),
      () => undefined, // left as written: the agent still sees and can edit it
    );
  };

  const mention = (name: string) => {
    setText(withMention(text, name));
    setHighlight(0);
    input.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key.toLowerCase() === "n" && event.ctrlKey && event.shiftKey) {
      event.preventDefault();
      setNote((current) => !current);
      return;
    }
    if (mentionMatches.length > 0 && (event.key === "Enter" || event.key === "Tab")) {
      event.preventDefault();
      mention(mentionMatches[Math.min(highlight, mentionMatches.length - 1)]!.name);
      return;
    }
    if (menuOpen && matches.length > 0) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        setHighlight((current) => (current + step + matches.length) % matches.length);
        return;
      }
      if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        choose(matches[Math.min(highlight, matches.length - 1)]?.text ?? text);
        return;
      }
    }
    if (event.key === "Escape" && menuOpen) {
      setText("");
      return;
    }
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const pasted = event.clipboardData.files[0];
    if (pasted) {
      event.preventDefault();
      onFile(pasted);
    }
  };

  const insertEmoji = (emoji: string) => {
    const element = input.current;
    const start = element?.selectionStart ?? text.length;
    const end = element?.selectionEnd ?? text.length;
    setText(text.slice(0, start) + emoji + text.slice(end));
    setEmojiOpen(false);
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(start + emoji.length, start + emoji.length);
    });
  };

  const noteSwitch = (
    <label className="note-switch" title="Ctrl+Shift+N">
      <input type="checkbox" checked={note} onChange={(event) => setNote(event.target.checked)} data-testid="note-toggle" />
      {t("chat.noteMode")}
    </label>
  );

  if (blockedReason && !note) {
    return (
      <div className="composer composer-blocked" data-testid="composer-blocked">
        <span>{blockedReason}</span>
        {noteSwitch}
      </div>
    );
  }

  return (
    <div className={note ? "composer composer-note" : "composer"} data-testid="composer" data-note={note}>
      {mentionMatches.length > 0 && (
        <ul className="quick-menu" role="listbox" aria-label={t("chat.mention")} data-testid="mention-menu">
          {mentionMatches.map((person, index) => (
            <li key={person.id} role="option" aria-selected={index === highlight}>
              <button
                type="button"
                className={index === highlight ? "quick-option active" : "quick-option"}
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => mention(person.name)}
                data-testid="mention-option"
              >
                <strong>@{person.name}</strong>
              </button>
            </li>
          ))}
        </ul>
      )}
      {replyTo && (
        <div className="composer-reply" data-testid="composer-reply">
          <div>
            <small>{t("chat.replyingTo")}</small>
            <div className="composer-reply-text">{replyTo.body || replyTo.media_name || replyTo.type}</div>
          </div>
          <button type="button" className="icon-button" onClick={onCancelReply} aria-label={t("chat.cancelReply")}>
            ✕
          </button>
        </div>
      )}
      {file && (
        <div className="composer-file" data-testid="composer-file">
          <Icon name="clip" size={16} /> {file.name}
          <button type="button" className="icon-button" onClick={() => onFile(null)} aria-label={t("chat.removeAttachment")}>
            ✕
          </button>
        </div>
      )}
      {menuOpen && (
        <ul className="quick-menu" role="listbox" aria-label={t("chat.quickAnswers")} data-testid="quick-answer-menu">
          {matches.length === 0 && <li className="quick-empty">{t("chat.noQuickAnswers")}</li>}
          {matches.map((answer, index) => (
            <li key={answer.id} role="option" aria-selected={index === highlight}>
              <button
                type="button"
                className={index === highlight ? "quick-option active" : "quick-option"}
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => choose(answer.text)}
                data-testid="quick-answer-option"
              >
                <strong>/{answer.shortcut}</strong>
                <span>{answer.text}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {emojiOpen && <EmojiPicker onPick={insertEmoji} />}
      {noteSwitch}
      <div className="composer-row">
        <button
          type="button"
          className="icon-button"
          onClick={() => setEmojiOpen((open) => !open)}
          aria-label={t("chat.emoji")}
          aria-expanded={emojiOpen}
          data-testid="emoji-button"
        >
          <Icon name="smile" />
        </button>
        {!note && (
          <>
            <button type="button" className="icon-button" onClick={() => fileInput.current?.click()} aria-label={t("chat.attach")} data-testid="attach-button">
              <Icon name="clip" />
            </button>
            <button
              type="button"
              className="icon-button"
              onClick={() => {
                // Kept in the box until scheduled: closing the dialog gives it back as it was.
                void onSchedule(text).then((scheduled) => scheduled && setText(""));
              }}
              aria-label={t("scheduled.new")}
              title={t("scheduled.new")}
              data-testid="schedule-button"
            >
              <Icon name="clock" />
            </button>
          </>
        )}
        <input
          ref={fileInput}
          type="file"
          hidden
          onChange={(event) => {
            onFile(event.target.files?.[0] ?? null);
            event.target.value = "";
          }}
          data-testid="file-input"
        />
        <textarea
          ref={input}
          rows={1}
          value={text}
          placeholder={t(note ? "chat.notePlaceholder" : "chat.placeholder")}
          aria-label={t(note ? "chat.notePlaceholder" : "chat.placeholder")}
          onChange={(event) => {
            setText(event.target.value);
            setHighlight(0);
            if (!note) onTyping(event.target.value.trim() !== "");
          }}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          data-testid="message-input"
        />
        {!note && !file && !text.trim() ? (
          <VoiceRecorder
            onRecorded={(recording) => {
              onSend({ body: "", file: recording, quoted: replyTo, voice: true });
              onCancelReply();
            }}
          />
        ) : (
          <button type="button" className="button primary" onClick={submit} disabled={!text.trim() && (note || !file)} data-testid="send-button">
            {t(note ? "chat.saveNote" : "chat.send")}
          </button>
        )}
      </div>
    </div>
  );
}
