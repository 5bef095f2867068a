import { Icon } from "../ui/Icon";
import { useI18n } from "../i18n/I18nProvider";
import { LANGUAGES, type Language } from "../i18n/translate";

export function LanguageSwitch() {
  const { t, language, setLanguage } = useI18n();
  return (
    <label className="language-switch">
      <span className="visually-hidden">{t("language.label")}</span>
      <Icon name="globe" size={18} />
      <select
        value={language}
        onChange={(event) => setLanguage(event.target.value as Language)}
        data-testid="language-select"
        aria-label={t("language.label")}
      >
        {LANGUAGES.map((code) => (
          <option key={code} value={code}>
            {t(`language.${code}`)}
          </option>
        ))}
      </select>
    </label>
  );
}
