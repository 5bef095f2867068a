// The Cloud API account of a connection: Meta's ids, and secrets that can be written but never read back.
import type { CloudCredentialsInput } from "../api/endpoints";
import type { CloudAccount } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { Field } from "../ui/Field";

export interface CloudForm {
  phone_number_id: string;
  business_account_id: string;
  access_token: string;
  app_secret: string;
  verify_token: string;
}

export const EMPTY_CLOUD_FORM: CloudForm = {
  phone_number_id: "",
  business_account_id: "",
  access_token: "",
  app_secret: "",
  verify_token: "",
};

/** What to PUT: a secret left empty keeps the stored one. */
export function credentialsOf(form: CloudForm): CloudCredentialsInput {
  const input: CloudCredentialsInput = {
    phone_number_id: form.phone_number_id.trim(),
    business_account_id: form.business_account_id.trim(),
  };
  for (const key of ["access_token", "app_secret", "verify_token"] as const) {
    if (form[key].trim()) input[key] = form[key].trim();
  }
  return input;
}

export function webhookUrl(connectionId: number): string {
  return `${window.location.origin}/api/webhooks/cloud/${connectionId}`;
}

const SECRETS = [
  ["access_token", "connections.cloud.accessToken", "has_access_token"],
  ["app_secret", "connections.cloud.appSecret", "has_app_secret"],
  ["verify_token", "connections.cloud.verifyToken", "has_verify_token"],
] as const;

interface CloudFieldsProps {
  form: CloudForm;
  account: CloudAccount | undefined;
  errors: Record<string, string>;
  onChange: (form: CloudForm) => void;
}

export function CloudFields({ form, account, errors, onChange }: CloudFieldsProps) {
  const { t } = useI18n();
  const set = (key: keyof CloudForm, value: string) => onChange({ ...form, [key]: value });
  return (
    <fieldset className="field cloud-fields" data-testid="cloud-fields">
      <legend>{t("connections.cloud.title")}</legend>
      <p className="field-hint">{t("connections.cloud.hint")}</p>
      <Field label={t("connections.cloud.phoneNumberId")} error={errors.phone_number_id}>
        {(props) => (
          <input {...props} inputMode="numeric" required value={form.phone_number_id} onChange={(e) => set("phone_number_id", e.target.value)} data-testid="cloud-phone-number-id" />
        )}
      </Field>
      <Field label={t("connections.cloud.businessAccountId")} error={errors.business_account_id}>
        {(props) => (
          <input {...props} inputMode="numeric" required value={form.business_account_id} onChange={(e) => set("business_account_id", e.target.value)} data-testid="cloud-business-account-id" />
        )}
      </Field>
      {SECRETS.map(([key, label, stored]) => (
        <Field key={key} label={t(label)} error={errors[key]} hint={account?.[stored] ? t("connections.cloud.secretKept") : undefined}>
          {(props) => (
            <input
              {...props}
              type="password"
              autoComplete="off"
              value={form[key]}
              placeholder={account?.[stored] ? "••••••••" : ""}
              onChange={(e) => set(key, e.target.value)}
              data-testid={`cloud-${key.replace("_", "-")}`}
            />
          )}
        </Field>
      ))}
    </fieldset>
  );
}
