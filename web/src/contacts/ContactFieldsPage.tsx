// Administrators define the custom fields every contact has: a label and a type (its key is made from the label).
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { contacts } from "../api/endpoints";
import { keys } from "../api/queries";
import type { ContactField } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { CrudPage } from "../ui/CrudPage";
import { Field } from "../ui/Field";
import { FormDialog } from "../ui/FormDialog";
import { useApiForm } from "../ui/useApiForm";
import { useContactFields } from "./CustomFieldInputs";

const TYPES: ContactField["type"][] = ["text", "number", "date", "email"];

function FieldForm({ field, onClose }: { field: ContactField | null; onClose: () => void }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [label, setLabel] = useState(field?.label ?? "");
  const [type, setType] = useState<ContactField["type"]>(field?.type ?? "text");
  const { busy, errors, formError, submit } = useApiForm();
  const save = () =>
    void submit(async () => {
      await (field ? contacts.updateField(field.id, { label }) : contacts.createField({ label, type }));
      await client.invalidateQueries({ queryKey: keys.contacts });
      onClose();
    });
  return (
    <FormDialog title={t(field ? "contactFields.edit" : "contactFields.new")} busy={busy} formError={formError} onSubmit={save} onClose={onClose}>
      <Field label={t("contactFields.label")} error={errors.label}>
        {(p) => <input {...p} autoFocus value={label} onChange={(e) => setLabel(e.target.value)} data-testid="field-label" />}
      </Field>
      <Field label={t("contactFields.type")} error={errors.type}>
        {(p) => (
          <select {...p} value={type} disabled={field !== null} onChange={(e) => setType(e.target.value as ContactField["type"])} data-testid="field-type">
            {TYPES.map((item) => (
              <option key={item} value={item}>
                {t(`contactFields.type.${item}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
    </FormDialog>
  );
}

export default function ContactFieldsPage() {
  const { t } = useI18n();
  const list = useContactFields();
  const client = useQueryClient();
  return (
    <CrudPage<ContactField>
      title="contactFields.title"
      newLabel="contactFields.new"
      testId="contact-fields-page"
      items={list.data}
      error={list.error}
      nameOf={(field) => field.label}
      columns={[
        { header: "contactFields.label", cell: (field) => field.label },
        { header: "contactFields.type", cell: (field) => t(`contactFields.type.${field.type}`) },
      ]}
      renderForm={(field, close) => <FieldForm field={field} onClose={close} />}
      remove={(field) => contacts.removeField(field.id).then(() => client.invalidateQueries({ queryKey: keys.contacts }))}
    />
  );
}
