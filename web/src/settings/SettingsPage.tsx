// Workspace settings, one row per key the server knows: switches for booleans, number or text fields otherwise.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { settings } from "../api/endpoints";
import { keys } from "../api/queries";
import type { JsonValue, Setting } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { dictionaries, type MessageKey } from "../i18n/translate";
import { errorMessage } from "../ui/errors";
import { Field } from "../ui/Field";
import { Spinner } from "../ui/Spinner";
import { useApiForm } from "../ui/useApiForm";

function labelOf(setting: Setting, t: (key: MessageKey) => string): string {
  const key = `settings.key.${setting.key}`;
  return key in dictionaries["pt-BR"] ? t(key as MessageKey) : setting.description;
}

function SettingRow({ setting }: { setting: Setting }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [value, setValue] = useState<JsonValue>(setting.value);
  const { busy, errors, formError, submit } = useApiForm();
  const [saved, setSaved] = useState(false);
  const type = setting.value_schema.type;
  const changed = JSON.stringify(value) !== JSON.stringify(setting.value);

  const save = (next: JsonValue) =>
    void submit(async () => {
      setSaved(false);
      const stored = await settings.put(setting.key, next);
      client.setQueryData<Setting[]>(keys.settings, (list) => list?.map((item) => (item.key === stored.key ? stored : item)));
      setSaved(true);
    });

  const label = labelOf(setting, t);
  const error = errors.value ?? formError ?? undefined;
  return (
    <li className="setting-row" data-testid={`setting-${setting.key}`}>
      {type === "boolean" ? (
        <label className="checkbox">
          <input
            type="checkbox"
            checked={value === true}
            disabled={busy}
            onChange={(event) => {
              setValue(event.target.checked);
              save(event.target.checked);
            }}
          />
          <span>
            {label}
            <small className="field-hint"> — {setting.description}</small>
          </span>
        </label>
      ) : (
        <form
          className="setting-inline"
          onSubmit={(event) => {
            event.preventDefault();
            save(value);
          }}
        >
          <Field label={label} error={error} hint={t("settings.default", { value: JSON.stringify(setting.default) })}>
            {(props) => (
              <input
                {...props}
                type={type === "integer" || type === "number" ? "number" : "text"}
                min={numeric(setting.value_schema.minimum)}
                max={numeric(setting.value_schema.maximum)}
                value={typeof value === "string" || typeof value === "number" ? value : JSON.stringify(value)}
                onChange={(event) => setValue(type === "integer" || type === "number" ? Number(event.target.value) : event.target.value)}
              />
            )}
          </Field>
          <button type="submit" className="button primary" disabled={busy || !changed}>
            {t("common.save")}
          </button>
        </form>
      )}
      {type === "boolean" && error && <small className="field-error">{error}</small>}
      {saved && !changed && (
        <small className="field-hint" role="status">
          {t("settings.saved")}
        </small>
      )}
    </li>
  );
}

export default function SettingsPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const query = useQuery({ queryKey: keys.settings, queryFn: settings.list });
  return (
    <div className="page" data-testid="settings-page">
      <header className="page-header">
        <h1>{t("settings.title")}</h1>
      </header>
      {query.isPending ? (
        <Spinner label={t("common.loading")} />
      ) : query.isError ? (
        <p className="form-error">{errorMessage(query.error, i18n)}</p>
      ) : query.data.length === 0 ? (
        <p className="page-empty">{t("settings.empty")}</p>
      ) : (
        <ul className="settings-list">
          {query.data.map((setting) => (
            <SettingRow key={setting.key} setting={setting} />
          ))}
        </ul>
      )}
    </div>
  );
}

/** A JSON-schema bound, when the setting has one. */
function numeric(bound: unknown): number | undefined {
  return typeof bound === "number" ? bound : undefined;
}
