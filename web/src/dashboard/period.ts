// The dashboard's period choices and how figures read: pure functions, tested without a browser.
import type { Language } from "../i18n/translate";

export type PeriodChoice = "today" | "7d" | "30d" | "custom";

export interface Period {
  start: string; // YYYY-MM-DD, inclusive
  end: string;
}

function addDays(day: string, days: number): string {
  const moment = new Date(`${day}T00:00:00Z`);
  moment.setUTCDate(moment.getUTCDate() + days);
  return moment.toISOString().slice(0, 10);
}

/** The days a choice covers, ending today; `custom` keeps what the person typed. */
export function periodFor(choice: PeriodChoice, today: string, custom: Period): Period {
  if (choice === "today") return { start: today, end: today };
  if (choice === "7d") return { start: addDays(today, -6), end: today };
  if (choice === "30d") return { start: addDays(today, -29), end: today };
  return custom;
}

/** A duration as people read it: "45 s", "5 min 30 s", "2 h 05 min"; a dash when there is none. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min ${String(whole % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

export function formatNumber(language: Language, value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined) return "—";
  return new Intl.NumberFormat(language, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(value);
}

/** A day (YYYY-MM-DD) as the language writes it: "01/12" in Portuguese, "12/01" in English. */
export function formatDay(language: Language, day: string): string {
  return new Intl.DateTimeFormat(language, { day: "2-digit", month: "2-digit", timeZone: "UTC" }).format(
    new Date(`${day}T00:00:00Z`),
  );
}

// Okabe–Ito: tells apart for every common kind of colour blindness.
export const SERIES_COLOURS = { created: "#0072B2", closed: "#E69F00", agents: "#009E73", open: "#56B4E9" } as const;
