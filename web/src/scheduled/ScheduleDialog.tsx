// "Agendar mensagem": a text or a file to this contact on this connection, sent later through the outbox; and the
// same form to change the text and the time of one still waiting.
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { scheduled } from "../api/endpoints";
import { keys } from "../api/queries";
import type { ScheduledMessage, Ticket } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { Field } from "../ui/Field";
import { FormDialog } from "../ui/FormDialog";
import { useApiForm } from "../ui/useApiForm";
import { browserZone, localInputValue, sendAtFromInput } from "./when";

/** A new one: to `ticket`'s contact on its connection, from what the composer held (text, and maybe a file). */
export interface NewSchedule {
  ticket: Ticket;
  draft: string;
  file: File | null;
}

interface ScheduleDialogProps {
  /** What to schedule, or the scheduled message to change. */
  subject: NewSchedule | ScheduledMessage;
  onDone: () => void;
  onClose: () => void;
}

const isNew = (subject: NewSchedule | ScheduledMessage): subject is NewSchedule => "ticket" in subject;

export function ScheduleDialog({ subject, onDone, onClose }: ScheduleDialogProps) {
  const { t } = useI18n();
  const client = useQueryClient();
  const form = useApiForm();
  const [body, setBody] = useState(isNew(subject) ? subject.draft : subject.body);
  // A new one starts an hour ahead, a sensible start the agent adjusts.
  const [when, setWhen] = useState(() => localInputValue(isNew(subject) ? new Date(Date.now() + 3_600_000) : new Date(subject.send_at)));
  const file = isNew(subject) ? subject.file : null;
  const fileName = isNew(subject) ? subject.file?.name : subject.media_name;
  const write = () => {
    const sendAt = sendAtFromInput(when);
    if (!isNew(subject)) return scheduled.update(subject.id, { body, send_at: sendAt });
    const input = { connection_id: subject.ticket.connection_id, contact_id: subject.ticket.contact.id, body, send_at: sendAt };
    return file ? scheduled.createWithFile(input, file) : scheduled.create(input);
  };
  const save = () =>
    void form.submit(write).then(async (saved) => {
      if (!saved) return;
      await client.invalidateQueries({ queryKey: keys.scheduled });
      onDone();
    });
  const name = isNew(subject) ? subject.ticket.contact.name : subject.contact_name;
  return (
    <FormDialog
      title={t(isNew(subject) ? "scheduled.new" : "scheduled.edit")}
      busy={form.busy}
      formError={form.formError}
      onSubmit={save}
      onClose={onClose}
      submitLabel={t(isNew(subject) ? "scheduled.schedule" : "scheduled.save")}
    >
      <p className="field-hint">{t("scheduled.to", { name })}</p>
      {fileName && (
        <p className="field-hint" data-testid="schedule-file">
          {t("scheduled.file")}: {fileName}
        </p>
      )}
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
