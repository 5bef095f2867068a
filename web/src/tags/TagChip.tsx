import type { Tag } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";

/** A tag's name on its colour; with `onRemove`, a button takes it off. */
export function TagChip({ tag, onRemove }: { tag: Tag; onRemove?: () => void }) {
  const { t } = useI18n();
  return (
    <span className="tag tag-chip" style={{ background: tag.color, color: "#fff" }} data-testid="tag-chip" data-tag={tag.name}>
      {tag.name}
      {onRemove && (
        <button type="button" className="tag-remove" onClick={onRemove} aria-label={t("tags.remove", { name: tag.name })} data-testid="tag-remove">
          ×
        </button>
      )}
    </span>
  );
}
