import { useI18n } from "../i18n/I18nProvider";

export const EMOJIS = [
  "😀", "😂", "😊", "😍", "😘", "😉", "😎", "🤔", "😅", "😢", "😭", "😡",
  "👍", "👎", "👏", "🙏", "👋", "🤝", "💪", "👌", "✌️", "🙌", "🤞", "👀",
  "❤️", "💚", "💙", "🔥", "⭐", "🎉", "✅", "❌", "⚠️", "📦", "🚚", "💰",
  "📞", "📅", "⏰", "📍", "📷", "📄", "💬", "🛒", "🎁", "☕", "🍕", "🌟",
];

export function EmojiPicker({ onPick }: { onPick: (emoji: string) => void }) {
  const { t } = useI18n();
  return (
    <div className="emoji-picker" role="listbox" aria-label={t("chat.emoji")} data-testid="emoji-picker">
      {EMOJIS.map((emoji) => (
        <button key={emoji} type="button" role="option" aria-selected="false" className="emoji" onClick={() => onPick(emoji)}>
          {emoji}
        </button>
      ))}
    </div>
  );
}
