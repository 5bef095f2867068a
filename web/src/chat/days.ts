// Day separators between messages: "Hoje", "Ontem", or the date.
import type { Message } from "../api/types";

export type ChatItem = { kind: "day"; key: string; date: Date } | { kind: "message"; key: string; message: Message };

export function localDay(date: Date): string {
  return `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
}

export function withDaySeparators(messages: Message[]): ChatItem[] {
  const items: ChatItem[] = [];
  let day = "";
  for (const message of messages) {
    const date = new Date(message.created_at);
    const key = localDay(date);
    if (key !== day) {
      items.push({ kind: "day", key: `day-${key}`, date });
      day = key;
    }
    items.push({ kind: "message", key: message.client_id ?? String(message.id), message });
  }
  return items;
}

export function dayLabel(date: Date, now: Date = new Date()): "today" | "yesterday" | null {
  if (localDay(date) === localDay(now)) return "today";
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  return localDay(date) === localDay(yesterday) ? "yesterday" : null;
}
