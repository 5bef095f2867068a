// Choosing an approved template (the one thing that can reach a customer after 24 hours of silence on the Cloud
// API): its variables filled by the agent, zapdesk's own {{name}}, {{phone}}, {{ticket}} and {{agent}} allowed,
// and a preview of exactly what the customer will read before it is sent.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { connections, messages, type TemplateMessageInput } from "../api/endpoints";
import { keys } from "../api/queries";
import type { MessageTemplate, Ticket } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { applyMessage } from "../realtime/RealtimeProvider";
import { errorMessage } from "../ui/errors";
import { Field } from "../ui/Field";
import { Modal } from "../ui/Modal";
import { Spinner } from "../ui/Spinner";
import { newClientId } from "./outgoing";

const OUR_PLACEHOLDERS = ["{{name}}", "{{phone}}", "{{ticket}}", "{{agent}}"];

function inputOf(template: MessageTemplate, values: Record<string, string>, clientId?: string): TemplateMessageInput {
  const parts: Record<"header" | "body", Record<string, string>> = { header: {}, body: {} };
  for (const variable of template.variables) parts[variable.part][variable.key] = values[`${variable.part}.${variable.key}`] ?? "";
  return { name: template.name, language: template.language, ...parts, ...(clientId ? { client_id: clientId } : {}) };
}

export function TemplatePicker({ ticket, onClose }: { ticket: Ticket; onClose: () => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const client = useQueryClient();
  const list = useQuery({
    queryKey: keys.templates(ticket.connection_id),
    queryFn: () => connections.templates(ticket.connection_id),
    staleTime: 60_000,
  });
  const [chosen, setChosen] = useState<MessageTemplate | null>(null);
  const [values, setValues] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<string>("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const templates = list.data?.items ?? [];
  const [refreshing, setRefreshing] = useState(false);

  const refresh = async () => {
    setRefreshing(true);
    try {
      client.setQueryData(keys.templates(ticket.connection_id), await connections.templates(ticket.connection_id, true));
    } catch (caught) {
      setError(errorMessage(caught, i18n));
    } finally {
      setRefreshing(false);
    }
  };

  useEffect(() => {
    if (!chosen) return;
    const timer = window.setTimeout(() => {
      messages.previewTemplate(ticket.id, inputOf(chosen, values)).then(
        (answer) => setPreview(answer.text),
        () => setPreview(""),
      );
    }, 250);
    return () => window.clearTimeout(timer);
  }, [chosen, values, ticket.id]);

  const choose = (key: string) => {
    const template = templates.find((item) => `${item.name}|${item.language}` === key) ?? null;
    setChosen(template);
    setPreview("");
    setError(null);
    // The first body variable is usually the customer's name.
    const first = template?.variables.find((variable) => variable.part === "body");
    setValues(first ? { [`body.${first.key}`]: "{{name}}" } : {});
  };

  const send = async () => {
    if (!chosen) return;
    setBusy(true);
    setError(null);
    try {
      applyMessage(client, await messages.sendTemplate(ticket.id, inputOf(chosen, values, newClientId())));
      onClose();
    } catch (caught) {
      setError(errorMessage(caught, i18n));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={t("templates.title")} onClose={onClose} testId="template-picker" wide>
      <div className="form">
        {list.isPending ? (
          <Spinner label={t("common.loading")} />
        ) : list.isError ? (
          <p className="form-error">{errorMessage(list.error, i18n)}</p>
        ) : templates.length === 0 ? (
          <p className="page-empty">{t("templates.empty")}</p>
        ) : (
          <Field label={t("templates.choose")}>
            {(props) => (
              <select {...props} value={chosen ? `${chosen.name}|${chosen.language}` : ""} onChange={(e) => choose(e.target.value)} data-testid="template-select">
                <option value="">—</option>
                {templates.map((template) => (
                  <option key={`${template.name}|${template.language}`} value={`${template.name}|${template.language}`}>
                    {template.name} ({template.language})
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        {chosen?.variables.map((variable) => {
          const key = `${variable.part}.${variable.key}`;
          return (
            <Field key={key} label={t(variable.part === "header" ? "templates.headerVariable" : "templates.bodyVariable", { key: variable.key })}>
              {(props) => (
                <input {...props} value={values[key] ?? ""} onChange={(e) => setValues((old) => ({ ...old, [key]: e.target.value }))} data-testid={`template-variable-${variable.part}-${variable.key}`} />
              )}
            </Field>
          );
        })}
        {chosen && chosen.variables.length > 0 && <small className="field-hint">{t("templates.placeholders", { list: OUR_PLACEHOLDERS.join(" ") })}</small>}
        {chosen && (
          <div className="template-preview" data-testid="template-preview">
            <strong>{t("templates.preview")}</strong>
            <p>{preview}</p>
          </div>
        )}
        {error && (
          <p className="form-error" role="alert" data-testid="template-error">
            {error}
          </p>
        )}
        <div className="form-actions">
          <button type="button" className="button" onClick={() => void refresh()} disabled={refreshing} data-testid="template-refresh" title={t("templates.refreshHint")}>
            {t("templates.refresh")}
          </button>
          <button type="button" className="button" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button type="button" className="button primary" disabled={!chosen || busy} onClick={() => void send()} data-testid="template-send">
            {t("templates.send")}
          </button>
        </div>
      </div>
    </Modal>
  );
}
