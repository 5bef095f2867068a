import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { tags } from "../api/endpoints";
import { keys, useTags } from "../api/queries";
import type { Tag, TagInput } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { CrudPage } from "../ui/CrudPage";
import { Field } from "../ui/Field";
import { FormDialog } from "../ui/FormDialog";
import { useApiForm } from "../ui/useApiForm";
import { TagChip } from "./TagChip";

function TagForm({ tag, onClose }: { tag: Tag | null; onClose: () => void }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [form, setForm] = useState<TagInput>({ name: tag?.name ?? "", color: tag?.color ?? "#64748b" });
  const { busy, errors, formError, submit } = useApiForm();
  const save = () =>
    void submit(async () => {
      await (tag ? tags.update(tag.id, form) : tags.create(form));
      await client.invalidateQueries({ queryKey: keys.tags });
      onClose();
    });
  return (
    <FormDialog title={t(tag ? "tags.edit" : "tags.new")} busy={busy} formError={formError} onSubmit={save} onClose={onClose}>
      <Field label={t("common.name")} error={errors.name}>
        {(p) => <input {...p} autoFocus value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} data-testid="tag-name" />}
      </Field>
      <Field label={t("queues.color")} error={errors.color}>
        {(p) => <input {...p} type="color" value={form.color} onChange={(e) => setForm({ ...form, color: e.target.value })} />}
      </Field>
    </FormDialog>
  );
}

export default function TagsPage() {
  const list = useTags();
  const client = useQueryClient();
  return (
    <CrudPage<Tag>
      title="tags.title"
      newLabel="tags.new"
      testId="tags-page"
      items={list.data}
      error={list.error}
      nameOf={(tag) => tag.name}
      columns={[{ header: "common.name", cell: (tag) => <TagChip tag={tag} /> }]}
      renderForm={(tag, close) => <TagForm tag={tag} onClose={close} />}
      remove={(tag) => tags.remove(tag.id).then(() => client.invalidateQueries({ queryKey: keys.tags }))}
    />
  );
}
