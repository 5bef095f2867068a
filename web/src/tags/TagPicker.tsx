// The tags on a ticket or a contact: each can be taken off, and a picker puts another on.
import { useState } from "react";
import { useTags } from "../api/queries";
import { useI18n } from "../i18n/I18nProvider";
import { errorMessage } from "../ui/errors";
import { TagChip } from "./TagChip";

interface TagPickerProps {
  tagIds: number[];
  /** Put the tag on (`on`) or take it off; resolves once the server agreed. */
  onChange: (tagId: number, on: boolean) => Promise<unknown>;
  testId: string;
}

export function TagPicker({ tagIds, onChange, testId }: TagPickerProps) {
  const i18n = useI18n();
  const { t } = i18n;
  const all = useTags().data ?? [];
  const [error, setError] = useState<string | null>(null);
  const change = (tagId: number, on: boolean) => {
    setError(null);
    onChange(tagId, on).catch((caught: unknown) => setError(errorMessage(caught, i18n)));
  };
  const missing = all.filter((tag) => !tagIds.includes(tag.id));
  return (
    <div className="tag-picker" data-testid={testId}>
      {all
        .filter((tag) => tagIds.includes(tag.id))
        .map((tag) => (
          <TagChip key={tag.id} tag={tag} onRemove={() => change(tag.id, false)} />
        ))}
      {missing.length > 0 && (
        <select
          className="tag-add"
          aria-label={t("tags.add")}
          value=""
          onChange={(event) => event.target.value && change(Number(event.target.value), true)}
          data-testid="tag-add"
        >
          <option value="">{t("tags.add")}</option>
          {missing.map((tag) => (
            <option key={tag.id} value={tag.id}>
              {tag.name}
            </option>
          ))}
        </select>
      )}
      {error && <span className="form-error" role="alert">{error}</span>}
    </div>
  );
}
