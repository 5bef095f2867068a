// "Nova Conexão" and "Editar": name, default flag, queues, greeting and farewell messages; for the official
// Cloud API, Meta's ids and (write-only) secrets too.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { connections } from "../api/endpoints";
import { keys, useMeta, useQueues } from "../api/queries";
import type { Connection, ConnectionInput, Provider } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { Field } from "../ui/Field";
import { Modal } from "../ui/Modal";
import { QueuePicker } from "../ui/QueuePicker";
import { useApiForm } from "../ui/useApiForm";
import { CloudFields, credentialsOf, EMPTY_CLOUD_FORM, type CloudForm } from "./CloudFields";
import { AutomationSection } from "./AutomationSection";

export function ConnectionDialog({ connection, onClose }: { connection: Connection | null; onClose: () => void }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const queues = useQueues().data ?? [];
  const simulator = Boolean(useMeta().data?.simulator_url);
  const [form, setForm] = useState<Required<ConnectionInput>>({
    name: connection?.name ?? "",
    provider: connection?.provider ?? (simulator ? "simulator" : "whatsapp"),
    is_default: connection?.is_default ?? false,
    greeting_message: connection?.greeting_message ?? "",
    farewell_message: connection?.farewell_message ?? "",
    send_read_receipts: connection?.send_read_receipts ?? true,
    queue_ids: connection?.queue_ids ?? [],
    automation: connection?.automation ?? {},
  });
  const { busy, errors, formError, submit } = useApiForm();
  const cloud = form.provider === "cloud";
  const account = useQuery({
    queryKey: keys.cloudAccount(connection?.id ?? 0),
    queryFn: () => connections.cloud(connection!.id),
    enabled: Boolean(connection && connection.provider === "cloud"),
    retry: false,
  });
  const [cloudForm, setCloudForm] = useState<CloudForm>(EMPTY_CLOUD_FORM);
  useEffect(() => {
    if (account.data) {
      const { phone_number_id, business_account_id } = account.data;
      setCloudForm((old) => ({ ...old, phone_number_id, business_account_id }));
    }
  }, [account.data]);
  const set = <K extends keyof ConnectionInput>(key: K, value: Required<ConnectionInput>[K]) => setForm((old) => ({ ...old, [key]: value }));

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const body = { ...form, greeting_message: form.greeting_message || null, farewell_message: form.farewell_message || null };
    await submit(async () => {
      let saved = connection;
      if (connection) {
        const { provider: _provider, ...changes } = body;
        saved = await connections.update(connection.id, changes);
      } else {
        saved = await connections.create(body);
      }
      if (cloud && saved) {
        await connections.setCloud(saved.id, credentialsOf(cloudForm));
        await client.invalidateQueries({ queryKey: keys.cloudAccount(saved.id) });
      }
      await client.invalidateQueries({ queryKey: keys.connections });
      onClose();
    });
  };

  return (
    <Modal title={connection ? t("connections.edit") : t("connections.new")} onClose={onClose} testId="connection-dialog">
      <form className="form" onSubmit={onSubmit} noValidate>
        <Field label={t("connections.name")} error={errors.name}>
          {(props) => (
            <input {...props} required autoFocus value={form.name} placeholder={t("connections.namePlaceholder")} onChange={(e) => set("name", e.target.value)} data-testid="connection-name" />
          )}
        </Field>
        {!connection && (
          <Field label={t("connections.provider")} error={errors.provider}>
            {(props) => (
              <select {...props} value={form.provider} onChange={(e) => set("provider", e.target.value as Provider)} data-testid="connection-provider">
                <option value="whatsapp">{t("connections.provider.whatsapp")}</option>
                <option value="cloud">{t("connections.provider.cloud")}</option>
                {simulator && <option value="simulator">{t("connections.provider.simulator")}</option>}
              </select>
            )}
          </Field>
        )}
        {cloud && <CloudFields form={cloudForm} account={account.data} errors={errors} onChange={setCloudForm} />}
        <label className="checkbox">
          <input type="checkbox" checked={form.is_default} onChange={(e) => set("is_default", e.target.checked)} data-testid="connection-default" />
          {t("connections.isDefault")}
        </label>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={form.send_read_receipts}
            onChange={(e) => set("send_read_receipts", e.target.checked)}
            data-testid="connection-read-receipts"
          />
          {t("connections.readReceipts")}
        </label>
        {queues.length > 0 && (
          <fieldset className="field">
            <legend>{t("connections.queues")}</legend>
            <QueuePicker queues={queues} value={form.queue_ids} onChange={(ids) => set("queue_ids", ids)} />
            {errors.queue_ids && <small className="field-error">{errors.queue_ids}</small>}
          </fieldset>
        )}
        <Field label={t("connections.greeting")} error={errors.greeting_message} hint={t("connections.placeholderHint")}>
          {(props) => <textarea {...props} rows={2} value={form.greeting_message ?? ""} onChange={(e) => set("greeting_message", e.target.value)} />}
        </Field>
        <Field label={t("connections.farewell")} error={errors.farewell_message} hint={t("connections.placeholderHint")}>
          {(props) => <textarea {...props} rows={2} value={form.farewell_message ?? ""} onChange={(e) => set("farewell_message", e.target.value)} />}
        </Field>
        <AutomationSection
          value={form.automation}
          onChange={(automation) => set("automation", automation)}
          greeting={form.greeting_message ?? ""}
          queues={queues.filter((queue) => form.queue_ids.includes(queue.id))}
          errors={errors}
        />
        {formError && <p className="form-error" role="alert" data-testid="form-error">{formError}</p>}
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" className="button primary" disabled={busy} data-testid="connection-submit">
            {connection ? t("common.save") : t("common.create")}
          </button>
        </div>
      </form>
    </Modal>
  );
}
