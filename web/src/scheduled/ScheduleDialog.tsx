// "Agendar mensagem": a text to this contact on this connection, sent later through the outbox.
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { scheduled } from "../api/endpoints";
import { keys } from "../api/queries";
import type { Ticket } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { Field } from "../ui/Field";
import { FormDialog } from "../ui/FormDialog";
import { useApiForm } from "../ui/useApiForm";
import { browserZone, localInputValue, sendAtFromInput } from "./when";

interface ScheduleDialogProps {
  ticket: Ticket;
  draft: string;
  onDone: () => void;
  onClose: () => void;
}

export function ScheduleDialog({ ticket, draft, onDone, onClose }: ScheduleDialogProps) {
  const { t } = useI18n();
  const client = useQueryClient();
  const form = useApiForm();
  const [body, setBody] = useState(draft);
  // An hour ahead, a sensible start the agent adjusts.
  const [when, setWhen] = useState(() => localInputValue(new Date(Date.now() + 3_600_000)));
  const save = () =>
    void form
      .submit(() =>
        scheduled.create({
          connection_id: ticket.connection_id,
          contact_id: ticket.contact.id,
          body,
          send_at: sendAtFromInput(when),
        }),
      )
      .then(async (saved) => {
        if (!saved) return;
        await client.invalidateQueries({ queryKey: keys.scheduled });
        onDone();
      });
  return (
    <FormDialog title={t("scheduled.new")} busy={form.busy} formError={form.formError} onSubmit={save} onClose={onClose} submitLabel={t("scheduled.schedule")}>
      <p className="field-hint">{t("scheduled.to", { name: ticket.contact.name })}</p>
      <Field label={t("scheduled.message")} error={form.errors.body}>
        {(props) => <textarea {...props} rows={4} value={body} onChange={(event) => setBody(event.target.value)} data-testid="schedule-body" />}
      </Field>
      <Field label={t("scheduled.sendAt")} hint={t("scheduled.zone", { zone: browserZone() })} error={form.errors.send_at}>
        {(props) => (
          <input {...props} type="datetime-local" step={1} value={when} onChange={(event) => setWhen(event.target.value)} data-testid="schedule-when" />
        )}
      </Field>
    </FormDialog>
  );
}
