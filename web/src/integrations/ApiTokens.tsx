// API tokens for automations: made with scopes and an optional expiry, shown once, listed with their last use,
// revoked at once.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { apiTokens, type ApiTokenInput } from "../api/endpoints";
import { keys } from "../api/queries";
import type { ApiToken, CreatedApiToken, TokenScope } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { errorMessage } from "../ui/errors";
import { Field } from "../ui/Field";
import { FormDialog } from "../ui/FormDialog";
import { Modal } from "../ui/Modal";
import { useApiForm } from "../ui/useApiForm";

const SCOPES: TokenScope[] = ["read", "send", "admin"];

function NewTokenDialog({ onMade, onClose }: { onMade: (token: CreatedApiToken) => void; onClose: () => void }) {
  const { t } = useI18n();
  const [form, setForm] = useState<ApiTokenInput>({ name: "", scopes: ["send"], expires_at: null });
  const { busy, errors, formError, submit } = useApiForm();
  const toggle = (scope: TokenScope) =>
    setForm((old) => ({ ...old, scopes: old.scopes.includes(scope) ? old.scopes.filter((s) => s !== scope) : [...old.scopes, scope] }));
  return (
    <FormDialog
      title={t("tokens.new")}
      busy={busy}
      formError={formError}
      submitLabel={t("common.create")}
      onClose={onClose}
      onSubmit={() => void submit(async () => onMade(await apiTokens.create(form)))}
    >
      <Field label={t("tokens.name")} error={errors.name}>
        {(props) => <input {...props} autoFocus value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} data-testid="token-name" />}
      </Field>
      <fieldset className="field">
        <legend>{t("tokens.scopes")}</legend>
        {SCOPES.map((scope) => (
          <label key={scope} className="checkbox">
            <input type="checkbox" checked={form.scopes.includes(scope)} onChange={() => toggle(scope)} data-testid={`token-scope-${scope}`} />
            {t(`tokens.scope.${scope}`)}
          </label>
        ))}
        {errors.scopes && <small className="field-error">{errors.scopes}</small>}
      </fieldset>
      <Field label={t("tokens.expires")} error={errors.expires_at} hint={t("tokens.expiresHint")}>
        {(props) => (
          <input
            {...props}
            type="date"
            value={form.expires_at?.slice(0, 10) ?? ""}
            onChange={(e) => setForm({ ...form, expires_at: e.target.value ? new Date(`${e.target.value}T23:59:59`).toISOString() : null })}
          />
        )}
      </Field>
    </FormDialog>
  );
}

function TokenRow({ token, onRevoke }: { token: ApiToken; onRevoke: (token: ApiToken) => void }) {
  const { t, formatTime } = useI18n();
  return (
    <tr data-testid="token-row">
      <td data-label={t("tokens.name")}>{token.name}</td>
      <td data-label={t("tokens.prefix")}>
        <code>{token.prefix}…</code>
      </td>
      <td data-label={t("tokens.scopes")}>{token.scopes.map((scope) => t(`tokens.scope.${scope}`)).join(", ")}</td>
      <td data-label={t("tokens.lastUsed")}>{token.last_used_at ? formatTime(token.last_used_at) : t("tokens.never")}</td>
      <td data-label={t("tokens.expires")}>{token.expires_at ? formatTime(token.expires_at) : "—"}</td>
      <td>
        {token.revoked_at ? (
          <span className="tag">{t("tokens.revoked")}</span>
        ) : (
          <button type="button" className="button ghost danger-text" onClick={() => onRevoke(token)} data-testid="token-revoke">
            {t("tokens.revoke")}
          </button>
        )}
      </td>
    </tr>
  );
}

export function ApiTokens() {
  const i18n = useI18n();
  const { t } = i18n;
  const client = useQueryClient();
  const list = useQuery({ queryKey: keys.apiTokens, queryFn: apiTokens.list });
  const [creating, setCreating] = useState(false);
  const [made, setMade] = useState<CreatedApiToken | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: keys.apiTokens });
  return (
    <section className="integration-section" data-testid="api-tokens">
      <header className="page-header">
        <h2>{t("tokens.title")}</h2>
        <button type="button" className="button primary" onClick={() => setCreating(true)} data-testid="new-token">
          {t("tokens.new")}
        </button>
      </header>
      <p className="field-hint">{t("tokens.hint")}</p>
      {list.isError && <p className="form-error">{errorMessage(list.error, i18n)}</p>}
      {list.data && list.data.length > 0 && (
        <table className="data-table stack-on-phone">
          <thead>
            <tr>
              <th>{t("tokens.name")}</th>
              <th>{t("tokens.prefix")}</th>
              <th>{t("tokens.scopes")}</th>
              <th>{t("tokens.lastUsed")}</th>
              <th>{t("tokens.expires")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.map((token) => (
              <TokenRow key={token.id} token={token} onRevoke={setRevoking} />
            ))}
          </tbody>
        </table>
      )}
      {creating && (
        <NewTokenDialog
          onClose={() => setCreating(false)}
          onMade={(token) => {
            setCreating(false);
            setMade(token);
            void refresh();
          }}
        />
      )}
      {made && (
        <Modal title={t("tokens.madeTitle")} onClose={() => setMade(null)} testId="token-made">
          <p>{t("tokens.madeHint")}</p>
          <pre className="secret" data-testid="token-value">{made.token}</pre>
          <div className="form-actions">
            <button type="button" className="button primary" onClick={() => setMade(null)}>
              {t("common.close")}
            </button>
          </div>
        </Modal>
      )}
      {revoking && (
        <ConfirmDialog
          title={t("tokens.revoke")}
          message={t("tokens.revokeConfirm", { name: revoking.name })}
          confirmLabel={t("tokens.revoke")}
          danger
          onConfirm={() => apiTokens.revoke(revoking.id).then(refresh)}
          onClose={() => setRevoking(null)}
        />
      )}
    </section>
  );
}
