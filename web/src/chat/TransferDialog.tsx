import { useState, type FormEvent } from "react";
import { tickets } from "../api/endpoints";
import { useDirectory, useQueues } from "../api/queries";
import type { Ticket } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { usePresence } from "../presence/presence";
import { Field } from "../ui/Field";
import { Modal } from "../ui/Modal";
import { useApiForm } from "../ui/useApiForm";

const KEEP = "keep";
const NOBODY = "none";

export function TransferDialog({ ticket, onDone, onClose }: { ticket: Ticket; onDone: (t: Ticket) => void; onClose: () => void }) {
  const { t } = useI18n();
  const queues = useQueues().data ?? [];
  const people = useDirectory().data ?? [];
  const presenceOf = usePresence();
  const [queue, setQueue] = useState(KEEP);
  const [user, setUser] = useState(NOBODY);
  const { busy, errors, formError, submit } = useApiForm();
  // Offer the agents of the chosen queue (admins serve every queue).
  const queueId = queue === KEEP ? ticket.queue_id : Number(queue);
  const candidates = people.filter((person) => person.role === "admin" || queueId === null || person.queue_ids.includes(queueId));

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    await submit(async () => {
      const updated = await tickets.update(ticket.id, {
        action: "transfer",
        assignee_id: user === NOBODY ? null : Number(user),
        ...(queue === KEEP ? {} : { queue_id: Number(queue) }),
      });
      onDone(updated);
      onClose();
    });
  };

  return (
    <Modal title={t("chat.transferTitle")} onClose={onClose} testId="transfer-dialog">
      <form onSubmit={onSubmit} className="form">
        <Field label={t("chat.transferQueue")} error={errors.queue_id}>
          {(props) => (
            <select {...props} value={queue} onChange={(event) => setQueue(event.target.value)} data-testid="transfer-queue">
              <option value={KEEP}>{t("chat.transferKeepQueue")}</option>
              {queues.map((item) => (
                <option key={item.id} value={item.id}>
                  {item.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t("chat.transferUser")} error={errors.assignee_id}>
          {(props) => (
            <select {...props} value={user} onChange={(event) => setUser(event.target.value)} data-testid="transfer-user">
              <option value={NOBODY}>{t("chat.transferKeepUser")}</option>
              {candidates.map((person) => (
                <option key={person.id} value={person.id} data-presence={presenceOf(person.id)}>
                  {`${person.name} · ${t(`presence.${presenceOf(person.id)}`)}`}
                </option>
              ))}
            </select>
          )}
        </Field>
        {formError && <p className="form-error" role="alert">{formError}</p>}
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" className="button primary" disabled={busy} data-testid="transfer-submit">
            {t("chat.transfer")}
          </button>
        </div>
      </form>
    </Modal>
  );
}
