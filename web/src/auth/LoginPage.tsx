import { useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import { useI18n } from "../i18n/I18nProvider";
import { LanguageSwitch } from "../layout/LanguageSwitch";
import { Field } from "../ui/Field";
import { useApiForm } from "../ui/useApiForm";
import { useAuth } from "./AuthProvider";

export function LoginPage({ expired }: { expired: boolean }) {
  const { t } = useI18n();
  const { login } = useAuth();
  const { busy, errors, formError, submit } = useApiForm();
  const [wrong, setWrong] = useState(false);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setWrong(false);
    await submit(() =>
      login(email, password).catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 401) setWrong(true);
        throw error;
      }),
    );
  };

  return (
    <main className="login-page">
      <form className="login-card" onSubmit={onSubmit} data-testid="login-form" noValidate>
        <div className="login-brand">
          <img src="/favicon.svg" alt="" width={48} height={48} />
          <h1>{t("login.title")}</h1>
        </div>
        {expired && (
          <p className="notice" role="status" data-testid="session-expired">
            {t("login.expired")}
          </p>
        )}
        <Field label={t("login.email")} error={errors.email}>
          {(props) => (
            <input
              {...props}
              type="email"
              autoComplete="username"
              required
              autoFocus
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              data-testid="login-email"
            />
          )}
        </Field>
        <Field label={t("login.password")} error={errors.password}>
          {(props) => (
            <input
              {...props}
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              data-testid="login-password"
            />
          )}
        </Field>
        {formError && (
          <p className="form-error" role="alert" data-testid="login-error">
            {wrong ? t("login.failed") : formError}
          </p>
        )}
        <button type="submit" className="button primary block" disabled={busy} data-testid="login-submit">
          {t("login.submit")}
        </button>
        <LanguageSwitch />
      </form>
    </main>
  );
}
