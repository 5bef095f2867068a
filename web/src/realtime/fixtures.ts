// Tickets and messages as the API sends them, for the real-time tests.
import type { Message, Ticket } from "../api/types";

export function ticket(id: number, at: string, extra: Partial<Ticket> = {}): Ticket {
  return {
    id,
    protocol: `2026-${String(id).padStart(6, "0")}`,
    status: "pending",
    contact: { id, name: `C${id}`, phone: `55${id}`, profile_picture_url: null, is_group: false },
    connection_id: 1,
    queue_id: null,
    assignee_id: null,
    unread_count: 0,
    last_message: null,
    last_message_at: null,
    last_activity_at: at,
    created_at: at,
    updated_at: at,
    closed_at: null,
    tag_ids: [],
    choosing_queue: false,
    rating: null,
    rated_at: null,
    ...extra,
  };
}

export function message(id: number, extra: Partial<Message> = {}): Message {
  return {
    id,
    ticket_id: 1,
    body: `m${id}`,
    type: "text",
    from_me: true,
    status: "sent",
    error: null,
    external_id: null,
    client_id: null,
    quoted_message_id: null,
    media_url: null,
    media_name: null,
    media_mime: null,
    media_state: null,
    extra: {},
    reactions: {},
    is_edited: false,
    is_deleted: false,
    sender_name: null,
    author_id: null,
    sent_at: null,
    created_at: "2026-01-01T10:00:00Z",
    updated_at: "2026-01-01T10:00:00Z",
    ...extra,
  };
}
