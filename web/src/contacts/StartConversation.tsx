import { useState } from "react";
import { useNavigate } from "react-router";
import { tickets } from "../api/endpoints";
import { useConnections } from "../api/queries";
import type { Contact } from "../api/types";
import { ConnectionSelect } from "../connections/ConnectionSelect";
import { useI18n } from "../i18n/I18nProvider";
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
      <ConnectionSelect connections={connections} value={chosen} onChange={setConnectionId} error={errors.connection_id} testId="start-connection" />
    </FormDialog>
  );
}
