// Day separators between messages (and history lines): "Hoje", "Ontem", or the date.
import type { Message, TicketEvent } from "../api/types";
import type { Timeline } from "./history";

export type ChatItem =
  | { kind: "day"; key: string; date: Date }
  | { kind: "message"; key: string; message: Message }
  | { kind: "event"; key: string; event: TicketEvent };

export function localDay(date: Date): string {
  return `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
}

export function withDaySeparators(items: Timeline): ChatItem[] {
  const result: ChatItem[] = [];
  let day = "";
  for (const item of items) {
    const date = new Date(item.at);
    const key = localDay(date);
    if (key !== day) {
      result.push({ kind: "day", key: `day-${key}`, date });
      day = key;
    }
    if (item.kind === "message") {
      result.push({ kind: "message", key: item.message.client_id ?? String(item.message.id), message: item.message });
    } else {
      result.push({ kind: "event", key: `event-${item.event.id}`, event: item.event });
    }
  }
  return result;
}

export function dayLabel(date: Date, now: Date = new Date()): "today" | "yesterday" | null {
  if (localDay(date) === localDay(now)) return "today";
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  return localDay(date) === localDay(yesterday) ? "yesterday" : null;
}
