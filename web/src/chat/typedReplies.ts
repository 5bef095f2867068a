// What the agent typed in a chat and has not sent: kept when they open another chat or reload the page, and
// forgotten once sent. Per tab (sessionStorage) and per person: someone else signing in here does not see it.
import { memoryStorage, type KeyValueStore } from "../auth/session";

export interface TypedReply {
  text: string;
  /** Typed as an internal note: it must come back as one, never turn into a message to the customer. */
  note: boolean;
}

const EMPTY: TypedReply = { text: "", note: false };

const tabStorage: KeyValueStore = typeof sessionStorage !== "undefined" ? sessionStorage : memoryStorage();

function storageKey(userId: number): string {
  return `zapdesk.typed.${userId}`;
}

function allOf(userId: number, storage: KeyValueStore): Record<string, TypedReply> {
  try {
    const stored: unknown = JSON.parse(storage.getItem(storageKey(userId)) ?? "{}");
    return stored && typeof stored === "object" ? (stored as Record<string, TypedReply>) : {};
  } catch {
    return {}; // written by another version, or by hand: start afresh
  }
}

export function typedReply(userId: number, ticketId: number, storage: KeyValueStore = tabStorage): TypedReply {
  return allOf(userId, storage)[ticketId] ?? EMPTY;
}

/** Remember `reply` for the ticket; an empty one is forgotten. */
export function keepTypedReply(userId: number, ticketId: number, reply: TypedReply, storage: KeyValueStore = tabStorage): void {
  const all = allOf(userId, storage);
  if (reply.text.trim()) all[ticketId] = reply;
  else delete all[ticketId];
  try {
    storage.setItem(storageKey(userId), JSON.stringify(all));
  } catch {
    // Storage full or refused (a private window): the reply stays on screen, only not across a reload.
  }
}
