import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { contacts } from "../api/endpoints";
import { keys } from "../api/queries";
import type { Contact } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { Field } from "../ui/Field";
import { FormDialog } from "../ui/FormDialog";
import { useApiForm } from "../ui/useApiForm";

type Row = { key: string; value: string };

export function ContactForm({ contact, onClose }: { contact: Contact | null; onClose: () => void }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [name, setName] = useState(contact?.name ?? "");
  const [phone, setPhone] = useState(contact?.phone ?? "");
  const [fields, setFields] = useState<Row[]>(Object.entries(contact?.custom_fields ?? {}).map(([key, value]) => ({ key, value })));
  const { busy, errors, formError, submit } = useApiForm();

  const save = () =>
    void submit(async () => {
      const custom_fields = Object.fromEntries(fields.filter((row) => row.key.trim()).map((row) => [row.key.trim(), row.value]));
      const body = { name, phone, custom_fields };
      await (contact ? contacts.update(contact.id, body) : contacts.create(body));
      await client.invalidateQueries({ queryKey: keys.contacts });
      onClose();
    });

  const setRow = (index: number, row: Row) => setFields(fields.map((old, i) => (i === index ? row : old)));

  return (
    <FormDialog title={t(contact ? "contacts.edit" : "contacts.new")} busy={busy} formError={formError} onSubmit={save} onClose={onClose}>
      <Field label={t("common.name")} error={errors.name}>
        {(p) => <input {...p} autoFocus value={name} onChange={(e) => setName(e.target.value)} data-testid="contact-name" />}
      </Field>
      <Field label={t("contacts.phone")} error={errors.phone}>
        {(p) => <input {...p} inputMode="tel" value={phone} onChange={(e) => setPhone(e.target.value)} data-testid="contact-phone" />}
      </Field>
      <fieldset className="field">
        <legend>{t("contacts.customFields")}</legend>
        {fields.map((row, index) => (
          <div key={index} className="custom-field-row">
            <input aria-label={t("contacts.fieldName")} placeholder={t("contacts.fieldName")} value={row.key} onChange={(e) => setRow(index, { ...row, key: e.target.value })} />
            <input aria-label={t("contacts.fieldValue")} placeholder={t("contacts.fieldValue")} value={row.value} onChange={(e) => setRow(index, { ...row, value: e.target.value })} />
            <button type="button" className="icon-button" aria-label={t("contacts.removeField")} onClick={() => setFields(fields.filter((_, i) => i !== index))}>
              ✕
            </button>
          </div>
        ))}
        <button type="button" className="button ghost" onClick={() => setFields([...fields, { key: "", value: "" }])}>
          + {t("contacts.addField")}
        </button>
        {errors.custom_fields && <small className="field-error">{errors.custom_fields}</small>}
      </fieldset>
    </FormDialog>
  );
}
