// The spec's "WhatsApp" page: connections with a live status, "Nova Conexão", "Conectar" → "Ver QR Code".
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { connections } from "../api/endpoints";
import { keys, useConnections, useMeta } from "../api/queries";
import type { Connection, ConnectionProfile } from "../api/types";
import { useMe } from "../auth/AuthProvider";
import { useI18n } from "../i18n/I18nProvider";
import { withConnection } from "../realtime/cache";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { errorMessage } from "../ui/errors";
import { Spinner } from "../ui/Spinner";
import { webhookUrl } from "./CloudFields";
import { ConnectionDialog } from "./ConnectionDialog";
import { QrModal } from "./QrModal";
import { isRunning, STATUS_HINTS } from "./statuses";
import { StatusBadge } from "./StatusBadge";

type Dialog =
  | { kind: "edit"; connection: Connection | null }
  | { kind: "qr"; id: number }
  | { kind: "disconnect"; connection: Connection }
  | { kind: "delete"; connection: Connection };

/** The Cloud API's word on the number: its verified name, quality rating and messaging limit. */
function ProfileLine({ profile }: { profile: ConnectionProfile }) {
  const { t } = useI18n();
  const parts = [
    profile.display_name,
    profile.quality_rating && t("connections.cloud.quality", { rating: profile.quality_rating }),
    profile.messaging_limit && t("connections.cloud.limit", { limit: profile.messaging_limit }),
  ].filter(Boolean);
  return (
    <div className="connection-profile" data-testid="connection-profile">
      {parts.join(" · ")}
    </div>
  );
}

function ConnectionCard({ connection, admin, onDialog }: { connection: Connection; admin: boolean; onDialog: (d: Dialog) => void }) {
  const i18n = useI18n();
  const { t, formatTime } = i18n;
  const client = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (work: () => Promise<Connection>) => {
    setBusy(true);
    setError(null);
    try {
      const updated = await work();
      client.setQueryData<Connection[]>(keys.connections, (list) => list && withConnection(list, updated));
    } catch (caught) {
      setError(errorMessage(caught, i18n));
    } finally {
      setBusy(false);
    }
  };

  const status = connection.status;
  const hint = STATUS_HINTS[status];
  return (
    <li className="connection-card" data-testid="connection-card" data-connection-id={connection.id} data-connection-name={connection.name}>
      <div className="connection-main">
        <div className="connection-title">
          <strong data-testid="connection-name-label">{connection.name}</strong>
          {connection.is_default && <span className="tag">{t("connections.default")}</span>}
          {connection.provider === "simulator" && <span className="tag">{t("connections.provider.simulator")}</span>}
          {connection.provider === "cloud" && <span className="tag">{t("connections.provider.cloud")}</span>}
        </div>
        <div className="connection-phone" data-testid="connection-phone">
          {connection.phone ? `+${connection.phone}` : "—"}
        </div>
        {connection.profile && <ProfileLine profile={connection.profile} />}
        {admin && connection.provider === "cloud" && (
          <small className="connection-webhook" data-testid="connection-webhook">
            {t("connections.cloud.webhook")} <code>{webhookUrl(connection.id)}</code>
          </small>
        )}
        <div className="connection-status">
          <StatusBadge status={status} reason={connection.status_reason} />
          <small>{t("connections.changedAt", { time: formatTime(connection.status_changed_at) })}</small>
        </div>
        {admin && hint && (
          <p className="connection-hint" data-testid="connection-hint">
            {t(hint)}
          </p>
        )}
        {/* The engine's own words, for whoever needs the detail (they are not translated). */}
        {connection.status_reason && status !== "CONNECTED" && (
          <small className="connection-reason" data-testid="connection-reason">
            {connection.status_reason}
          </small>
        )}
        {admin && connection.engine && (
          <small className="connection-engine" data-testid="connection-engine">
            {t(connection.delivery_after_commit ? "connections.engineAfterCommit" : "connections.engineOnArrival", {
              engine: connection.engine,
            })}
          </small>
        )}
        {error && <p className="form-error" role="alert">{error}</p>}
      </div>
      {admin && (
        <div className="connection-actions">
          {status === "STARTING" && <span className="waiting" data-testid="connection-waiting"><span className="spinner" aria-hidden="true" /> {t("connections.waitingQr")}</span>}
          {status === "QR" && (
            <button type="button" className="button primary" onClick={() => onDialog({ kind: "qr", id: connection.id })} data-testid="show-qr">
              {t("connections.showQr")}
            </button>
          )}
          {!isRunning(status) && (
            <button type="button" className="button primary" disabled={busy} onClick={() => void run(() => connections.connect(connection.id))} data-testid="connect">
              {t("connections.connect")}
            </button>
          )}
          {isRunning(status) && (
            <button type="button" className="button" disabled={busy} onClick={() => onDialog({ kind: "disconnect", connection })} data-testid="disconnect">
              {t("connections.disconnect")}
            </button>
          )}
          {status !== "STOPPED" && (
            <button type="button" className="button" disabled={busy} onClick={() => void run(() => connections.restart(connection.id))} data-testid="restart">
              {t("connections.restart")}
            </button>
          )}
          <button type="button" className="button ghost" onClick={() => onDialog({ kind: "edit", connection })} data-testid="edit-connection">
            {t("common.edit")}
          </button>
          <button type="button" className="button ghost danger-text" onClick={() => onDialog({ kind: "delete", connection })} data-testid="delete-connection">
            {t("common.delete")}
          </button>
        </div>
      )}
    </li>
  );
}

export function ConnectionsPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const me = useMe();
  const admin = me.role === "admin";
  const client = useQueryClient();
  const list = useConnections();
  const simulatorUrl = useMeta().data?.simulator_url ?? null;
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const close = useCallback(() => setDialog(null), []);
  const refresh = () => client.invalidateQueries({ queryKey: keys.connections });
  const qrConnection = dialog?.kind === "qr" ? list.data?.find((item) => item.id === dialog.id) : undefined;

  return (
    <div className="page">
      <header className="page-header">
        <h1>{t("connections.title")}</h1>
        {admin && (
          <button type="button" className="button primary" onClick={() => setDialog({ kind: "edit", connection: null })} data-testid="new-connection">
            {t("connections.new")}
          </button>
        )}
      </header>
      {simulatorUrl && (
        <p className="notice">
          {t("connections.simulatorHint")}{" "}
          <a href={simulatorUrl} target="_blank" rel="noopener" data-testid="simulator-link">
            {t("connections.simulatorLink")} ↗
          </a>
        </p>
      )}
      {list.isPending ? (
        <Spinner label={t("common.loading")} />
      ) : list.isError ? (
        <p className="form-error">{errorMessage(list.error, i18n)}</p>
      ) : list.data.length === 0 ? (
        <p className="page-empty">{t("connections.empty")}</p>
      ) : (
        <ul className="connection-list" data-testid="connection-list">
          {list.data.map((connection) => (
            <ConnectionCard key={connection.id} connection={connection} admin={admin} onDialog={setDialog} />
          ))}
        </ul>
      )}
      {dialog?.kind === "edit" && <ConnectionDialog connection={dialog.connection} onClose={close} />}
      {qrConnection && <QrModal connection={qrConnection} onClose={close} />}
      {dialog?.kind === "disconnect" && (
        <ConfirmDialog
          title={t("connections.disconnect")}
          message={t("connections.disconnectConfirm", { name: dialog.connection.name })}
          confirmLabel={t("connections.disconnect")}
          danger
          onConfirm={() => connections.logout(dialog.connection.id).then(refresh)}
          onClose={close}
        />
      )}
      {dialog?.kind === "delete" && (
        <ConfirmDialog
          title={t("common.delete")}
          message={t("common.confirmDelete", { name: dialog.connection.name })}
          confirmLabel={t("common.delete")}
          danger
          onConfirm={() => connections.remove(dialog.connection.id).then(refresh)}
          onClose={close}
        />
      )}
    </div>
  );
}
