import type { ConnectionStatus } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { STATUS_TONE } from "./statuses";

export function StatusBadge({ status, reason }: { status: ConnectionStatus; reason: string | null }) {
  const { t } = useI18n();
  return (
    <span className={`status-badge tone-${STATUS_TONE[status]}`} data-testid="connection-status" data-status={status} title={reason ?? undefined}>
      <span className="status-dot" aria-hidden="true" />
      {t(`status.${status}`)}
    </span>
  );
}
