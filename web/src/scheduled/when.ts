// The browser's date-time input speaks local wall-clock time without a zone; the API wants an instant.

/** The time zone the person's wall clock is in, shown next to the input. */
export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}

/** "2026-12-03T14:05:00" for a `datetime-local` input, on the local wall clock. */
export function localInputValue(date: Date): string {
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  return `${day}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** The instant a local "2026-12-03T14:05" means, with its UTC offset; the input as typed when it is no date. */
export function sendAtFromInput(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}
