import { I18nProvider, useI18n } from "./i18n/I18nProvider";

function Placeholder() {
  const { t } = useI18n();
  return <h1>{t("app.name")}</h1>;
}

export function App() {
  return (
    <I18nProvider>
      <Placeholder />
    </I18nProvider>
  );
}
