import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { contacts } from "../api/endpoints";
import { keys } from "../api/queries";
import type { Contact } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { Field } from "../ui/Field";
import { FormDialog } from "../ui/FormDialog";
import { useApiForm } from "../ui/useApiForm";
import { CustomFieldInputs } from "./CustomFieldInputs";

export function ContactForm({ contact, onClose }: { contact: Contact | null; onClose: () => void }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [name, setName] = useState(contact?.name ?? "");
  const [phone, setPhone] = useState(contact?.phone ?? "");
  const [fields, setFields] = useState<Record<string, string>>(contact?.custom_fields ?? {});
  const { busy, errors, formError, submit } = useApiForm();

  const save = () =>
    void submit(async () => {
      const body = { name, phone, custom_fields: fields };
      await (contact ? contacts.update(contact.id, body) : contacts.create(body));
      await client.invalidateQueries({ queryKey: keys.contacts });
      onClose();
    });

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
        <CustomFieldInputs values={fields} onChange={setFields} errors={errors} />
      </fieldset>
    </FormDialog>
  );
}
