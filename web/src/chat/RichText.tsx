import { linkify } from "./linkify";

export function RichText({ text }: { text: string }) {
  return (
    <span className="rich-text" data-testid="message-text">
      {linkify(text).map((segment, index) =>
        segment.kind === "link" ? (
          <a key={index} href={segment.href} target="_blank" rel="noopener noreferrer">
            {segment.text}
          </a>
        ) : (
          <span key={index}>{segment.text}</span>
        ),
      )}
    </span>
  );
}
