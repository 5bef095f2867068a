// Workspace settings: booleans as switches, everything else as text; saved together.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { settings } from "../api/endpoints";
import { keys } from "../api/queries";
import type { SettingsMap } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import type { MessageKey } from "../i18n/translate";
import { dictionaries } from "../i18n/translate";
import { errorMessage } from "../ui/errors";
import { Spinner } from "../ui/Spinner";
import { useApiForm } from "../ui/useApiForm";

function labelKey(key: string): MessageKey | null {
  const candidate = `settings.key.${key}`;
  return candidate in dictionaries["pt-BR"] ? (candidate as MessageKey) : null;
}

export default function SettingsPage() {
  const { t } = useI18n();
  const client = useQueryClient();
  const query = useQuery({ queryKey: keys.settings, queryFn: settings.get });
  const [values, setValues] = useState<SettingsMap>({});
  const [saved, setSaved] = useState(false);
  const { busy, errors, formError, submit } = useApiForm();
  useEffect(() => {
    if (query.data) setValues(query.data);
  }, [query.data]);

  const save = () =>
    void submit(async () => {
      setSaved(false);
      const updated = await settings.update(values);
      client.setQueryData(keys.settings, updated);
      setSaved(true);
    });

  if (query.isPending) return <Spinner label={t("common.loading")} />;
  if (query.isError) return <p className="form-error">{errorMessage(query.error, t)}</p>;
  const entries = Object.entries(values);
  return (
    <div className="page" data-testid="settings-page">
      <header className="page-header">
        <h1>{t("settings.title")}</h1>
      </header>
      {entries.length === 0 && <p className="page-empty">{t("settings.empty")}</p>}
      <form
        className="form settings-form"
        onSubmit={(event) => {
          event.preventDefault();
          save();
        }}
      >
        {entries.map(([key, value]) => {
          const label = labelKey(key);
          const text = label ? t(label) : key;
          return (
            <div key={key} className="field">
              {typeof value === "boolean" ? (
                <label className="checkbox">
                  <input type="checkbox" checked={value} onChange={(e) => setValues({ ...values, [key]: e.target.checked })} data-testid={`setting-${key}`} />
                  {text}
                </label>
              ) : (
                <label>
                  {text}
                  <input
                    value={typeof value === "string" || typeof value === "number" ? String(value) : JSON.stringify(value)}
                    onChange={(e) => setValues({ ...values, [key]: typeof value === "number" ? Number(e.target.value) : e.target.value })}
                    data-testid={`setting-${key}`}
                  />
                </label>
              )}
              {errors[key] && <small className="field-error">{errors[key]}</small>}
            </div>
          );
        })}
        {formError && <p className="form-error" role="alert">{formError}</p>}
        {saved && <p className="notice" role="status">{t("settings.saved")}</p>}
        {entries.length > 0 && (
          <div className="form-actions">
            <button type="submit" className="button primary" disabled={busy} data-testid="settings-save">
              {t("common.save")}
            </button>
          </div>
        )}
      </form>
    </div>
  );
}
