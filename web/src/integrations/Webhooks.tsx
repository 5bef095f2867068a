// Outgoing webhooks: endpoints with the events they get, their signing secret (shown when made or rotated), and
// the delivery log — each attempt's answer, latency and excerpt — with "Reenviar".
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { webhooks, type WebhookEndpointInput } from "../api/endpoints";
import { keys } from "../api/queries";
import type { WebhookEndpoint, WebhookEventType } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { errorMessage } from "../ui/errors";
import { Field } from "../ui/Field";
import { FormDialog } from "../ui/FormDialog";
import { Modal } from "../ui/Modal";
import { useApiForm } from "../ui/useApiForm";

const EVENTS: WebhookEventType[] = [
  "message.created",
  "message.updated",
  "ticket.created",
  "ticket.updated",
  "contact.updated",
  "connection.updated",
];

function EndpointDialog({ onMade, onClose }: { onMade: (endpoint: WebhookEndpoint) => void; onClose: () => void }) {
  const { t } = useI18n();
  const [form, setForm] = useState<WebhookEndpointInput>({ url: "", events: [...EVENTS], description: "" });
  const { busy, errors, formError, submit } = useApiForm();
  const toggle = (event: WebhookEventType) =>
    setForm((old) => ({ ...old, events: old.events.includes(event) ? old.events.filter((e) => e !== event) : [...old.events, event] }));
  return (
    <FormDialog
      title={t("webhooks.new")}
      busy={busy}
      formError={formError}
      submitLabel={t("common.create")}
      onClose={onClose}
      onSubmit={() => void submit(async () => onMade(await webhooks.create(form)))}
    >
      <Field label={t("webhooks.url")} error={errors.url}>
        {(props) => <input {...props} type="url" autoFocus placeholder="https://" value={form.url} onChange={(e) => setForm({ ...form, url: e.target.value })} data-testid="webhook-url" />}
      </Field>
      <Field label={t("webhooks.description")} error={errors.description}>
        {(props) => <input {...props} value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />}
      </Field>
      <fieldset className="field">
        <legend>{t("webhooks.events")}</legend>
        {EVENTS.map((event) => (
          <label key={event} className="checkbox">
            <input type="checkbox" checked={form.events.includes(event)} onChange={() => toggle(event)} />
            <code>{event}</code>
          </label>
        ))}
        {errors.events && <small className="field-error">{errors.events}</small>}
      </fieldset>
    </FormDialog>
  );
}

function DeliveryLog({ endpoint, onClose }: { endpoint: WebhookEndpoint; onClose: () => void }) {
  const i18n = useI18n();
  const { t, formatTime } = i18n;
  const client = useQueryClient();
  const log = useQuery({ queryKey: keys.deliveries(endpoint.id), queryFn: () => webhooks.deliveries(endpoint.id), refetchInterval: 5_000 });
  const resend = async (id: number) => {
    await webhooks.resend(id);
    await client.invalidateQueries({ queryKey: keys.deliveries(endpoint.id) });
  };
  return (
    <Modal title={t("webhooks.log", { url: endpoint.url })} onClose={onClose} testId="delivery-log" wide>
      {log.isError && <p className="form-error">{errorMessage(log.error, i18n)}</p>}
      {log.data?.length === 0 && <p className="page-empty">{t("webhooks.noDeliveries")}</p>}
      <ul className="delivery-list">
        {log.data?.map((delivery) => (
          <li key={delivery.id} className={`delivery delivery-${delivery.status}`} data-testid="delivery">
            <div className="delivery-head">
              <code>{delivery.event}</code>
              <span className="tag">{t(`webhooks.status.${delivery.status}`)}</span>
              <small>{formatTime(delivery.created_at)}</small>
              <button type="button" className="button ghost" onClick={() => void resend(delivery.id)} data-testid="delivery-resend">
                {t("webhooks.resend")}
              </button>
            </div>
            <ol className="attempts">
              {delivery.attempts.map((attempt, index) => (
                <li key={index} data-testid="attempt">
                  <strong>{attempt.status_code ?? t("webhooks.noAnswer")}</strong> · {attempt.latency_ms} ms · {formatTime(attempt.attempted_at)}
                  {(attempt.error ?? attempt.response_excerpt) && <pre className="excerpt">{attempt.error ?? attempt.response_excerpt}</pre>}
                </li>
              ))}
            </ol>
          </li>
        ))}
      </ul>
    </Modal>
  );
}

export function Webhooks() {
  const i18n = useI18n();
  const { t } = i18n;
  const client = useQueryClient();
  const list = useQuery({ queryKey: keys.webhooks, queryFn: webhooks.list });
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [viewing, setViewing] = useState<WebhookEndpoint | null>(null);
  const [removing, setRemoving] = useState<WebhookEndpoint | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: keys.webhooks });
  const showSecret = (endpoint: WebhookEndpoint) => {
    setSecret(endpoint.secret ?? null);
    void refresh();
  };
  return (
    <section className="integration-section" data-testid="webhooks">
      <header className="page-header">
        <h2>{t("webhooks.title")}</h2>
        <button type="button" className="button primary" onClick={() => setCreating(true)} data-testid="new-webhook">
          {t("webhooks.new")}
        </button>
      </header>
      <p className="field-hint">{t("webhooks.hint")}</p>
      {list.isError && <p className="form-error">{errorMessage(list.error, i18n)}</p>}
      <ul className="endpoint-list">
        {list.data?.map((endpoint) => (
          <li key={endpoint.id} className="endpoint" data-testid="webhook-endpoint">
            <div>
              <code>{endpoint.url}</code> {!endpoint.enabled && <span className="tag">{t("webhooks.disabled")}</span>}
              <small className="field-hint">{endpoint.description || endpoint.events.join(", ")}</small>
            </div>
            <div className="connection-actions">
              <button type="button" className="button" onClick={() => setViewing(endpoint)} data-testid="webhook-log">
                {t("webhooks.deliveries")}
              </button>
              <button type="button" className="button ghost" onClick={() => void webhooks.update(endpoint.id, { enabled: !endpoint.enabled }).then(refresh)}>
                {endpoint.enabled ? t("webhooks.disable") : t("webhooks.enable")}
              </button>
              <button type="button" className="button ghost" onClick={() => void webhooks.update(endpoint.id, { rotate_secret: true }).then(showSecret)}>
                {t("webhooks.rotate")}
              </button>
              <button type="button" className="button ghost danger-text" onClick={() => setRemoving(endpoint)}>
                {t("common.delete")}
              </button>
            </div>
          </li>
        ))}
      </ul>
      {creating && (
        <EndpointDialog
          onClose={() => setCreating(false)}
          onMade={(endpoint) => {
            setCreating(false);
            showSecret(endpoint);
          }}
        />
      )}
      {secret && (
        <Modal title={t("webhooks.secretTitle")} onClose={() => setSecret(null)} testId="webhook-secret">
          <p>{t("webhooks.secretHint")}</p>
          <pre className="secret" data-testid="webhook-secret-value">{secret}</pre>
          <div className="form-actions">
            <button type="button" className="button primary" onClick={() => setSecret(null)}>
              {t("common.close")}
            </button>
          </div>
        </Modal>
      )}
      {viewing && <DeliveryLog endpoint={viewing} onClose={() => setViewing(null)} />}
      {removing && (
        <ConfirmDialog
          title={t("common.delete")}
          message={t("common.confirmDelete", { name: removing.url })}
          confirmLabel={t("common.delete")}
          danger
          onConfirm={() => webhooks.remove(removing.id).then(refresh)}
          onClose={() => setRemoving(null)}
        />
      )}
    </section>
  );
}
