// A weekday's intervals as one line of text ("08:00-12:00, 13:30-18:00"), the way people write their hours.
import type { Interval } from "../api/types";

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export function intervalsText(intervals: Interval[] | undefined): string {
  return (intervals ?? []).map((interval) => `${interval.start}-${interval.end}`).join(", ");
}

/** The intervals a line means; a piece that is no "start-end" goes as written, for the API to name it. */
export function parseIntervals(text: string): Interval[] {
  return text
    .split(/[,;]/)
    .map((piece) => piece.trim())
    .filter(Boolean)
    .map((piece) => {
      const [start = "", end = ""] = piece.split(/\s*[-–]\s*/);
      return { start: start.trim(), end: end.trim() };
    });
}
