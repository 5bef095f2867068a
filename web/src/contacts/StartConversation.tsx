import { useState } from "react";
import { useNavigate } from "react-router";
import { tickets } from "../api/endpoints";
import { useConnections } from "../api/queries";
import type { Contact } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { Field } from "../ui/Field";
import { FormDialog } from "../ui/FormDialog";
import { useApiForm } from "../ui/useApiForm";

export function StartConversation({ contact, onClose }: { contact: Contact; onClose: () => void }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const connections = useConnections().data ?? [];
  const fallback = connections.find((c) => c.is_default) ?? connections[0];
  const [connectionId, setConnectionId] = useState<number | null>(null);
  const chosen = connectionId ?? fallback?.id ?? null;
  const { busy, errors, formError, submit } = useApiForm();
  const start = () =>
    void submit(async () => {
      if (chosen === null) return;
      const ticket = await tickets.create(contact.id, chosen);
      onClose();
      navigate(`/tickets/${ticket.id}?tab=open`);
    });
  return (
    <FormDialog title={`${t("contacts.startConversation")}: ${contact.name}`} busy={busy} formError={formError} onSubmit={start} onClose={onClose} submitLabel={t("contacts.start")}>
      <Field label={t("contacts.chooseConnection")} error={errors.connection_id}>
        {(p) => (
          <select {...p} value={chosen ?? ""} onChange={(e) => setConnectionId(Number(e.target.value))} data-testid="start-connection">
            {connections.map((connection) => (
              <option key={connection.id} value={connection.id}>
                {connection.name}
              </option>
            ))}
          </select>
        )}
      </Field>
    </FormDialog>
  );
}
