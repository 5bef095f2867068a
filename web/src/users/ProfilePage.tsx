// "Meu perfil": what every user changes about themselves — name, language, signature, what notifies them — and
// their password, giving the current one.
import { useState, type FormEvent } from "react";
import { auth } from "../api/endpoints";
import type { NotificationPreferences, User } from "../api/types";
import { useAuth, useMe } from "../auth/AuthProvider";
import { useI18n } from "../i18n/I18nProvider";
import { LANGUAGES, type Language, type MessageKey } from "../i18n/translate";
import { Field } from "../ui/Field";
import { useApiForm } from "../ui/useApiForm";

const BROWSER = "";

const CHOICES: { key: keyof NotificationPreferences; label: MessageKey }[] = [
  { key: "transfers", label: "profile.notifyTransfers" },
  { key: "mentions", label: "profile.notifyMentions" },
  { key: "messages", label: "profile.notifyMessages" },
  { key: "sound", label: "profile.notifySound" },
  { key: "desktop", label: "profile.notifyDesktop" },
];

function DetailsForm({ me }: { me: User }) {
  const { t, setLanguage } = useI18n();
  const { replaceUser } = useAuth();
  const [name, setName] = useState(me.name);
  const [language, setLanguageChoice] = useState<string>(me.language ?? BROWSER);
  const [signature, setSignature] = useState(me.signature);
  const [notifications, setNotifications] = useState<NotificationPreferences>(me.notifications);
  const [saved, setSaved] = useState(false);
  const { busy, errors, formError, submit } = useApiForm();

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    void submit(async () => {
      const chosen = language === BROWSER ? null : (language as Language);
      const updated = await auth.updateMe({ name, language: chosen, signature, notifications });
      replaceUser(updated);
      if (chosen) setLanguage(chosen);
      setSaved(true);
    });
  };

  return (
    <form className="form profile-section" onSubmit={onSubmit} data-testid="profile-form">
      <h2>{t("profile.details")}</h2>
      <Field label={t("common.name")} error={errors.name}>
        {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} data-testid="profile-name" />}
      </Field>
      <Field label={t("profile.language")} error={errors.language}>
        {(p) => (
          <select {...p} value={language} onChange={(e) => setLanguageChoice(e.target.value)} data-testid="profile-language">
            <option value={BROWSER}>{t("profile.languageBrowser")}</option>
            {LANGUAGES.map((code) => (
              <option key={code} value={code}>
                {t(`language.${code}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <label className="checkbox">
        <input type="checkbox" checked={signature} onChange={(e) => setSignature(e.target.checked)} data-testid="profile-signature" />
        {t("users.signature")}
      </label>
      <fieldset className="field">
        <legend>{t("profile.notifications")}</legend>
        <small className="field-hint">{t("profile.notifyHint")}</small>
        {CHOICES.map(({ key, label }) => (
          <label className="checkbox" key={key}>
            <input
              type="checkbox"
              checked={notifications[key] !== false}
              onChange={(e) => setNotifications({ ...notifications, [key]: e.target.checked })}
              data-testid={`profile-notify-${key}`}
            />
            {t(label)}
          </label>
        ))}
      </fieldset>
      {formError && <p className="form-error" role="alert">{formError}</p>}
      {saved && <p className="field-hint" role="status" data-testid="profile-saved">{t("profile.saved")}</p>}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={busy} data-testid="profile-save">
          {t("common.save")}
        </button>
      </div>
    </form>
  );
}

function PasswordForm() {
  const { t } = useI18n();
  const { renew } = useAuth();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [changed, setChanged] = useState(false);
  const { busy, errors, formError, submit } = useApiForm();

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setChanged(false);
    void submit(async () => {
      renew(await auth.changePassword({ current_password: current, new_password: next }));
      setCurrent("");
      setNext("");
      setChanged(true);
    });
  };

  return (
    <form className="form profile-section" onSubmit={onSubmit} data-testid="password-form">
      <h2>{t("profile.password")}</h2>
      <Field label={t("profile.currentPassword")} error={errors.current_password}>
        {(p) => (
          <input {...p} type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} data-testid="current-password" />
        )}
      </Field>
      <Field label={t("profile.newPassword")} error={errors.new_password}>
        {(p) => (
          <input {...p} type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} data-testid="new-password" />
        )}
      </Field>
      {formError && <p className="form-error" role="alert">{formError}</p>}
      {changed && <p className="field-hint" role="status" data-testid="password-changed">{t("profile.passwordChanged")}</p>}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={busy || !current || !next} data-testid="password-save">
          {t("profile.changePassword")}
        </button>
      </div>
    </form>
  );
}

export default function ProfilePage() {
  const { t } = useI18n();
  const me = useMe();
  return (
    <div className="page" data-testid="profile-page">
      <header className="page-header">
        <h1>{t("profile.title")}</h1>
      </header>
      <DetailsForm me={me} />
      <PasswordForm />
    </div>
  );
}
