// "Agendamentos": messages waiting to go out later, and what became of them; edit or cancel one until it goes out.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { scheduled } from "../api/endpoints";
import { keys } from "../api/queries";
import type { ScheduleStatus, ScheduledMessage } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import type { MessageKey } from "../i18n/translate";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { ListTable } from "../ui/ListTable";
import { ScheduleDialog } from "./ScheduleDialog";
import { browserZone } from "./when";

const STATUSES: ScheduleStatus[] = ["scheduled", "sending", "sent", "failed", "cancelled"];

const statusKey = (status: ScheduleStatus) => `scheduled.status.${status}` as MessageKey;

interface RowProps {
  item: ScheduledMessage;
  onEdit: (item: ScheduledMessage) => void;
  onCancel: (item: ScheduledMessage) => void;
}

function ScheduledRow({ item, onEdit, onCancel }: RowProps) {
  const { t, formatDate } = useI18n();
  return (
    <tr data-testid="scheduled-row" data-id={item.id} data-status={item.status}>
      <td data-label={t("scheduled.sendAt")}>{formatDate(item.send_at)}</td>
      <td data-label={t("scheduled.contact")}>
        <strong>{item.contact_name}</strong>
        <div className="field-hint">+{item.contact_phone}</div>
      </td>
      <td className="pre-line" data-label={t("scheduled.message")}>
        {item.body || item.media_name}
      </td>
      <td data-label={t("scheduled.state")}>
        <span className={`tag schedule-${item.status}`} data-testid="scheduled-status">
          {t(statusKey(item.status))}
        </span>
        {item.error && <div className="field-hint" data-testid="scheduled-error">{item.error}</div>}
      </td>
      <td className="actions-col">
        {item.status === "scheduled" && (
          <>
            <button type="button" className="button ghost" onClick={() => onEdit(item)} data-testid="scheduled-edit">
              {t("common.edit")}
            </button>
            <button type="button" className="button ghost danger-text" onClick={() => onCancel(item)} data-testid="scheduled-cancel">
              {t("scheduled.cancel")}
            </button>
          </>
        )}
      </td>
    </tr>
  );
}

export default function ScheduledPage() {
  const { t } = useI18n();
  const client = useQueryClient();
  const [status, setStatus] = useState<ScheduleStatus | "">("");
  const list = useQuery({ queryKey: [...keys.scheduled, status], queryFn: () => scheduled.list(status || undefined) });
  const [cancelling, setCancelling] = useState<ScheduledMessage | null>(null);
  const [editing, setEditing] = useState<ScheduledMessage | null>(null);
  return (
    <div className="page" data-testid="scheduled-page">
      <header className="page-header">
        <h1>{t("scheduled.title")}</h1>
        <select value={status} onChange={(event) => setStatus(event.target.value as ScheduleStatus | "")} aria-label={t("scheduled.filter")} data-testid="scheduled-filter">
          <option value="">{t("scheduled.all")}</option>
          {STATUSES.map((value) => (
            <option key={value} value={value}>
              {t(statusKey(value))}
            </option>
          ))}
        </select>
      </header>
      <p className="field-hint">{t("scheduled.intro", { zone: browserZone() })}</p>
      <ListTable
        items={list.data}
        error={list.error}
        headers={["scheduled.sendAt", "scheduled.contact", "scheduled.message", "scheduled.state"]}
        row={(item) => <ScheduledRow key={item.id} item={item} onEdit={setEditing} onCancel={setCancelling} />}
      />
      {editing && <ScheduleDialog subject={editing} onDone={() => setEditing(null)} onClose={() => setEditing(null)} />}
      {cancelling && (
        <ConfirmDialog
          title={t("scheduled.cancel")}
          message={t("scheduled.confirmCancel")}
          confirmLabel={t("scheduled.cancel")}
          danger
          onConfirm={() => scheduled.cancel(cancelling.id).then(() => client.invalidateQueries({ queryKey: keys.scheduled }))}
          onClose={() => setCancelling(null)}
        />
      )}
    </div>
  );
}
