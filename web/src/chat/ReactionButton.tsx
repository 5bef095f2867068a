// Reacting to a message with one of a few emojis (again the same one removes it); WhatsApp is told by the outbox.
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { messages } from "../api/endpoints";
import type { Message } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { applyMessage } from "../realtime/RealtimeProvider";

export const QUICK_REACTIONS = ["👍", "❤️", "😂", "😮", "😢", "🙏"];
// The key our own reaction is kept under (the server's OWN_REACTION_KEY).
const OURS = "me";

export function ReactionButton({ message }: { message: Message }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const current = message.reactions[OURS] ?? "";

  const react = (emoji: string) => {
    setOpen(false);
    messages.react(message.id, emoji === current ? "" : emoji).then(
      (updated) => applyMessage(client, updated),
      () => undefined, // the bubble keeps its reactions; nothing was changed
    );
  };

  return (
    <div className="reaction-button">
      <button type="button" className="icon-button" onClick={() => setOpen((value) => !value)} aria-label={t("chat.react")} title={t("chat.react")} data-testid="react-button">
        🙂
      </button>
      {open && (
        <div className="reaction-menu" role="menu" data-testid="reaction-menu">
          {QUICK_REACTIONS.map((emoji) => (
            <button key={emoji} type="button" role="menuitem" className={emoji === current ? "emoji chosen" : "emoji"} onClick={() => react(emoji)}>
              {emoji}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
