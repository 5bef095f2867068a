// "Integrações": what automations (n8n, Typebot, your own systems) use: API tokens and outgoing webhooks.
import { useI18n } from "../i18n/I18nProvider";
import { ApiTokens } from "./ApiTokens";
import { Webhooks } from "./Webhooks";

export default function IntegrationsPage() {
  const { t } = useI18n();
  return (
    <div className="page" data-testid="integrations-page">
      <header className="page-header">
        <h1>{t("integrations.title")}</h1>
      </header>
      <p className="notice">{t("integrations.hint")}</p>
      <ApiTokens />
      <Webhooks />
    </div>
  );
}
