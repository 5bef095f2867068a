// Picking a language and filling `{placeholders}`: pure functions, shared by the provider and the tests.
import { en } from "./en";
import { ptBR, type MessageKey } from "./pt-BR";

export const LANGUAGES = ["pt-BR", "en"] as const;
export type Language = (typeof LANGUAGES)[number];

export const dictionaries: Record<Language, Record<MessageKey, string>> = { "pt-BR": ptBR, en };

export type Vars = Record<string, string | number>;

export function translate(language: Language, key: MessageKey, vars?: Vars): string {
  return fill(dictionaries[language][key], vars);
}

/** `template` with each `{name}` found in `vars` replaced; unknown names stay as they are. */
export function fill(template: string, vars?: Vars): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** The remembered choice, else the first browser language we speak, else Portuguese. */
export function pickLanguage(stored: string | null, browser: readonly string[]): Language {
  if (stored && (LANGUAGES as readonly string[]).includes(stored)) return stored as Language;
  for (const tag of browser) {
    const lower = tag.toLowerCase();
    if (lower.startsWith("pt")) return "pt-BR";
    if (lower.startsWith("en")) return "en";
  }
  return "pt-BR";
}

export type { MessageKey };
