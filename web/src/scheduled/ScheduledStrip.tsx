// Above the composer: what is scheduled for this contact on this connection and still waiting, each one editable
// until it goes out (it leaves the strip then, by the realtime update of the list).
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { scheduled } from "../api/endpoints";
import { keys } from "../api/queries";
import type { ScheduledMessage } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { ScheduleDialog } from "./ScheduleDialog";

export function ScheduledStrip({ contactId, connectionId }: { contactId: number; connectionId: number }) {
  const { t, formatDate } = useI18n();
  const list = useQuery({
    queryKey: [...keys.scheduled, "contact", contactId],
    queryFn: () => scheduled.list("scheduled", contactId),
  });
  const [editing, setEditing] = useState<ScheduledMessage | null>(null);
  const waiting = (list.data ?? []).filter((item) => item.connection_id === connectionId);
  if (waiting.length === 0) return null;
  return (
    <div className="banner scheduled-strip" data-testid="scheduled-strip">
      <strong>{t("scheduled.inChat")}</strong>
      {waiting.map((item) => (
        <div key={item.id} className="option-row" data-testid="scheduled-in-chat" data-id={item.id}>
          <span className="field-hint">{formatDate(item.send_at)}</span>
          <span className="pre-line">{item.body || item.media_name}</span>
          <button type="button" className="button ghost" onClick={() => setEditing(item)} data-testid="scheduled-edit">
            {t("common.edit")}
          </button>
        </div>
      ))}
      {editing && <ScheduleDialog subject={editing} onDone={() => setEditing(null)} onClose={() => setEditing(null)} />}
    </div>
  );
}
