import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { pickLanguage, translate, type Language, type MessageKey, type Vars } from "./translate";

const STORAGE_KEY = "zapdesk.language";

export interface I18n {
  language: Language;
  setLanguage: (language: Language) => void;
  t: (key: MessageKey, vars?: Vars) => string;
  formatTime: (iso: string) => string;
  formatDate: (iso: string) => string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(() =>
    pickLanguage(localStorage.getItem(STORAGE_KEY), navigator.languages ?? [navigator.language]),
  );
  const setLanguage = useCallback((next: Language) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLanguageState(next);
  }, []);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  const value = useMemo<I18n>(() => {
    const time = new Intl.DateTimeFormat(language, { hour: "2-digit", minute: "2-digit" });
    const date = new Intl.DateTimeFormat(language, { day: "2-digit", month: "2-digit", year: "numeric" });
    return {
      language,
      setLanguage,
      t: (key, vars) => translate(language, key, vars),
      formatTime: (iso) => time.format(new Date(iso)),
      formatDate: (iso) => date.format(new Date(iso)),
    };
  }, [language, setLanguage]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n outside I18nProvider");
  return value;
}
