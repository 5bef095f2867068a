import type { Message } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { Icon } from "../ui/Icon";
import { MessageActions } from "./MessageActions";
import { MessageContent } from "./MessageContent";
import { ReactionButton } from "./ReactionButton";
import { StatusTicks } from "./StatusTicks";

interface BubbleProps {
  message: Message;
  quoted: Message | undefined;
  showSender: boolean;
  onReply: (message: Message) => void;
  onResend: (message: Message) => void;
  /** Drop a message the server never stored (refused): it goes nowhere. */
  onDiscard: (message: Message) => void;
  onOpenImage: (src: string) => void;
  /** The search result jumped to. */
  highlighted?: boolean;
}

function quotePreview(message: Message): string {
  return message.body || message.media_name || message.type;
}

export function MessageBubble({ message, quoted, showSender, onReply, onResend, onDiscard, onOpenImage, highlighted = false }: BubbleProps) {
  const { t, formatTime } = useI18n();
  const reactions = Object.entries(message.reactions);
  const note = message.type === "note";
  const side = note ? "out note" : message.from_me ? "out" : "in";
  return (
    <div
      className={`bubble-row ${side}${highlighted ? " highlighted" : ""}`}
      data-testid="message"
      data-highlighted={highlighted || undefined}
      data-message-id={message.id}
      data-status={message.status}
      data-type={message.type}
      data-from-me={message.from_me}
    >
      <article className={`bubble ${side}${message.status === "failed" ? " failed" : ""}`}>
        {note && (
          <div className="bubble-note-label" data-testid="note-label">
            {t("chat.noteLabel")}
            {message.sender_name && ` · ${message.sender_name}`}
          </div>
        )}
        {showSender && message.sender_name && (
          <div className="bubble-sender" data-testid="message-sender">
            {message.sender_name}
          </div>
        )}
        {message.extra.forwarded === true && (
          <div className="bubble-forwarded" data-testid="message-forwarded">
            ↪ {t("chat.forwarded")}
          </div>
        )}
        {quoted && (
          <a className="bubble-quote" href={`#message-${quoted.id}`} data-testid="message-quote">
            <strong>{quoted.from_me ? t("chat.you") : (quoted.sender_name ?? "")}</strong>
            <span>{quotePreview(quoted)}</span>
          </a>
        )}
        <div className="bubble-content" id={`message-${message.id}`}>
          <MessageContent message={message} onOpenImage={onOpenImage} />
        </div>
        <footer className="bubble-meta">
          {message.is_edited && !message.is_deleted && <span className="edited" data-testid="message-edited">{t("chat.edited")}</span>}
          {Boolean(message.extra.automatic) && (
            <span className="edited" data-testid="message-automatic">
              {t("chat.automatic")}
            </span>
          )}
          <time dateTime={message.created_at}>{formatTime(message.created_at)}</time>
          {message.from_me && !note && <StatusTicks status={message.status} />}
        </footer>
        {message.status === "failed" && (
          <div className="bubble-failed" role="alert">
            <span>{t("chat.failed")}</span>
            {/* Why, when known: the API's error in the person's language, or the sending worker's own words. */}
            {message.error && (
              <small className="bubble-failed-reason" data-testid="failed-reason">
                {message.error}
              </small>
            )}
            <button type="button" className="link-button" onClick={() => onResend(message)} data-testid="resend">
              {t("chat.resend")}
            </button>
            {message.id < 0 && (
              <button type="button" className="link-button" onClick={() => onDiscard(message)} data-testid="discard">
                {t("chat.discard")}
              </button>
            )}
          </div>
        )}
        {reactions.length > 0 && (
          <div className="reactions" data-testid="message-reactions">
            {reactions.map(([who, emoji]) => (
              <span key={who} title={who}>
                {emoji}
              </span>
            ))}
          </div>
        )}
      </article>
      {!message.is_deleted && !note && message.id > 0 && message.external_id && <ReactionButton message={message} />}
      {!message.is_deleted && !note && message.id > 0 && (
        <button type="button" className="icon-button bubble-reply" onClick={() => onReply(message)} aria-label={t("chat.reply")} title={t("chat.reply")} data-testid="reply-button">
          <Icon name="reply" size={18} />
        </button>
      )}
      {!note && message.id > 0 && <MessageActions message={message} />}
    </div>
  );
}
