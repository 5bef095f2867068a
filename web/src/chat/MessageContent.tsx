// What a message shows, by type: text, media, location, contact card, or a plain note for the rest.
import { useRef, useState } from "react";
import type { Message } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { RichText } from "./RichText";
import { loadMedia, useMedia } from "./useMedia";

function num(value: unknown): number | null {
  const parsed = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
  return Number.isFinite(parsed) ? parsed : null;
}

function MediaImage({ message, onOpen }: { message: Message; onOpen: (src: string) => void }) {
  const { t } = useI18n();
  const { src } = useMedia(message.media_url);
  const label = message.type === "sticker" ? t("chat.sticker") : t("chat.image");
  if (!src) return <div className="media-placeholder">{label}</div>;
  return (
    <button type="button" className="media-button" onClick={() => onOpen(src)} aria-label={t("chat.openImage")}>
      <img src={src} alt={message.media_name ?? label} className={message.type === "sticker" ? "sticker" : "media-image"} data-testid="message-image" />
    </button>
  );
}

function MediaPlayer({ message }: { message: Message }) {
  const { src } = useMedia(message.media_url);
  if (!src) return <div className="media-placeholder">…</div>;
  if (message.type === "video") return <video controls src={src} className="media-video" data-testid="message-video" />;
  if (message.type === "voice") return <VoicePlayer src={src} />;
  if (message.type === "video_note") return <VideoNote src={src} />;
  return <audio controls src={src} data-testid="message-audio" />;
}

const SPEEDS = [1, 1.5, 2];

/** A voice note plays inline, at 1×, 1.5× or 2× (the button cycles), as people listen to long ones. */
function VoicePlayer({ src }: { src: string }) {
  const { t } = useI18n();
  const player = useRef<HTMLAudioElement>(null);
  const [speed, setSpeed] = useState(1);
  const next = () => {
    const chosen = SPEEDS[(SPEEDS.indexOf(speed) + 1) % SPEEDS.length] ?? 1;
    if (player.current) player.current.playbackRate = chosen;
    setSpeed(chosen);
  };
  return (
    <span className="voice-player">
      <audio ref={player} controls src={src} data-testid="message-audio" />
      <button type="button" className="voice-speed" onClick={next} aria-label={t("chat.playbackSpeed")} data-testid="voice-speed">
        {speed}×
      </button>
    </span>
  );
}

/** A round video recorded in the chat: shown round, as on the phone, and said to be one. */
function VideoNote({ src }: { src: string }) {
  const { t } = useI18n();
  return (
    <figure className="video-note" data-testid="message-video-note">
      <video controls src={src} className="video-note-player" />
      <figcaption>{t("chat.videoNote")}</figcaption>
    </figure>
  );
}

function Document({ message }: { message: Message }) {
  const { t } = useI18n();
  const name = message.media_name ?? t("chat.document");
  const download = async () => {
    if (!message.media_url) return;
    const link = document.createElement("a");
    link.href = await loadMedia(message.media_url);
    link.download = name;
    link.click();
  };
  return (
    <button type="button" className="document" onClick={() => void download()} data-testid="message-document">
      <span aria-hidden="true">📄</span>
      <span className="document-name">{name}</span>
      <span className="document-action">{t("chat.download")}</span>
    </button>
  );
}

function Location({ extra }: { extra: Record<string, unknown> }) {
  const { t } = useI18n();
  const lat = num(extra.latitude ?? extra.lat);
  const lng = num(extra.longitude ?? extra.lng ?? extra.lon);
  const name = typeof extra.name === "string" ? extra.name : null;
  if (lat === null || lng === null) return <span>📍 {name ?? t("chat.location")}</span>;
  const href = `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lng}#map=16/${lat}/${lng}`;
  return (
    <a className="location" href={href} target="_blank" rel="noopener noreferrer" data-testid="message-location">
      📍 {name ?? `${lat.toFixed(5)}, ${lng.toFixed(5)}`}
      <small>{t("chat.location")}</small>
    </a>
  );
}

/** Name and numbers out of a vCard (FN and TEL lines). */
export function parseVcard(vcard: string): { name: string | null; phones: string[] } {
  const lines = vcard.split(/\r?\n/);
  const name = lines.find((line) => line.toUpperCase().startsWith("FN"))?.split(":").slice(1).join(":") ?? null;
  const phones = lines
    .filter((line) => line.toUpperCase().startsWith("TEL"))
    .map((line) => line.split(":").slice(1).join(":").trim())
    .filter(Boolean);
  return { name, phones };
}

function ContactCard({ message }: { message: Message }) {
  const { t } = useI18n();
  const vcard = typeof message.extra.vcard === "string" ? message.extra.vcard : "";
  const card = parseVcard(vcard);
  const name = card.name ?? (typeof message.extra.display_name === "string" ? message.extra.display_name : message.body);
  return (
    <div className="contact-card" data-testid="message-contact">
      <span aria-hidden="true">👤</span>
      <div>
        <strong>{name || t("chat.contactCard")}</strong>
        {card.phones.map((phone) => (
          <div key={phone}>{phone}</div>
        ))}
      </div>
    </div>
  );
}

const MEDIA_TYPES = new Set(["image", "sticker", "audio", "voice", "video", "video_note", "document"]);

export function MessageContent({ message, onOpenImage }: { message: Message; onOpenImage: (src: string) => void }) {
  const { t } = useI18n();
  if (message.is_deleted) return <em className="deleted" data-testid="message-deleted">{t("chat.deleted")}</em>;
  const withCaption = !["contact", "location", "unsupported"].includes(message.type);
  const caption = message.body && withCaption ? <RichText text={message.body} /> : null;
  if (MEDIA_TYPES.has(message.type) && !message.media_url && (message.media_state === "pending" || message.media_state === "retrying")) {
    // Stored before its file: the file shows up here (message.updated) once the worker has downloaded it.
    const note = message.media_state === "pending" ? t("chat.mediaDownloading") : t("chat.mediaRetrying");
    return (
      <>
        <em className="media-placeholder" data-testid="media-downloading" data-state={message.media_state}>
          {note}
        </em>
        {caption}
      </>
    );
  }
  if (MEDIA_TYPES.has(message.type) && !message.media_url) {
    // The file never arrived (WhatsApp refused the download): say so instead of an empty player.
    const reason = typeof message.extra.media_error === "string" ? message.extra.media_error : t("chat.document");
    return (
      <>
        <em className="unsupported" data-testid="media-missing">{reason}</em>
        {caption}
      </>
    );
  }
  switch (message.type) {
    case "image":
    case "sticker":
      return (
        <>
          <MediaImage message={message} onOpen={onOpenImage} />
          {caption}
        </>
      );
    case "audio":
    case "voice":
    case "video":
    case "video_note":
      return (
        <>
          <MediaPlayer message={message} />
          {caption}
        </>
      );
    case "document":
      return (
        <>
          <Document message={message} />
          {caption}
        </>
      );
    case "location":
      return <Location extra={message.extra} />;
    case "contact":
      return <ContactCard message={message} />;
    case "unsupported": {
      const kind = typeof message.extra.kind === "string" ? message.extra.kind : "?";
      return <em className="unsupported" data-testid="message-unsupported">{t("chat.unsupported", { kind })}</em>;
    }
    default:
      return caption ?? <span />;
  }
}
