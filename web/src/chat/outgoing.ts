// Building the optimistic copy of a message the agent is sending.
import type { Message, MessageType } from "../api/types";

let sequence = 0;

export function newClientId(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  // Plain-HTTP pages on a LAN address have no randomUUID: time + counter + randomness is unique enough here.
  sequence += 1;
  return `${Date.now().toString(36)}-${sequence.toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

export function typeOfFile(file: File): MessageType {
  if (file.type.startsWith("image/")) return "image";
  if (file.type.startsWith("video/")) return "video";
  if (file.type.startsWith("audio/")) return "audio";
  return "document";
}

export interface Draft {
  body: string;
  file: File | null;
  quoted: Message | null;
  /** An internal note: for the team only, never sent to the customer. */
  note?: boolean;
  /** `file` is a recording from the microphone, sent as a voice note. */
  voice?: boolean;
}

export function optimisticMessage(ticketId: number, draft: Draft, clientId: string, now: Date = new Date()): Message {
  sequence += 1;
  const iso = now.toISOString();
  return {
    id: -(now.getTime() * 1000 + (sequence % 1000)),
    ticket_id: ticketId,
    body: draft.body,
    type: draft.note ? "note" : draft.voice ? "voice" : draft.file ? typeOfFile(draft.file) : "text",
    from_me: true,
    status: "pending",
    error: null,
    external_id: null,
    client_id: clientId,
    quoted_message_id: draft.quoted?.id ?? null,
    author_id: null,
    sent_at: null,
    media_url: draft.file ? URL.createObjectURL(draft.file) : null,
    media_name: draft.file?.name ?? null,
    media_mime: draft.file?.type ?? null,
    media_state: null,
    extra: {},
    reactions: {},
    is_edited: false,
    is_deleted: false,
    sender_name: null,
    created_at: iso,
    updated_at: iso,
  };
}
