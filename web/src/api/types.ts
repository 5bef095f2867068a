// The REST + Socket.IO contract, as the UI reads it. `schema.test.ts` checks every field here against the
// backend's OpenAPI document, so a rename on either side fails the web unit tests.

export type Role = "admin" | "agent";

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface ApiErrorBody {
  detail: string;
  code: string;
  errors?: { loc: (string | number)[]; msg: string; type: string; ctx?: Record<string, string | number> }[];
}

export interface User {
  id: number;
  name: string;
  email: string;
  role: Role;
  queue_ids: number[];
}

export interface DirectoryUser {
  id: number;
  name: string;
  role: Role;
  queue_ids: number[];
}

export interface LoginResponse {
  access_token: string;
  refresh_token: string;
  user: User;
}

export interface Meta {
  version: string;
  environment: string;
  simulator_url: string | null;
}

export interface Queue {
  id: number;
  name: string;
  color: string;
  greeting_message: string | null;
}

export type TicketStatus = "pending" | "open" | "closed";

export interface ContactSummary {
  id: number;
  name: string;
  phone: string;
  profile_picture_url: string | null;
  is_group: boolean;
}

export interface Contact extends ContactSummary {
  push_name: string | null;
  custom_fields: Record<string, string>;
}

export interface Ticket {
  id: number;
  status: TicketStatus;
  contact: ContactSummary;
  connection_id: number;
  queue_id: number | null;
  assignee_id: number | null;
  unread_count: number;
  last_message: string | null;
  last_message_at: string | null;
  last_activity_at: string;
  updated_at: string;
  closed_at: string | null;
}

export type MessageType =
  | "text"
  | "image"
  | "audio"
  | "voice"
  | "video"
  | "document"
  | "sticker"
  | "location"
  | "contact"
  | "unsupported";

export type MessageStatus = "pending" | "sent" | "delivered" | "read" | "failed";

export interface Message {
  id: number;
  ticket_id: number;
  body: string;
  type: MessageType;
  from_me: boolean;
  status: MessageStatus;
  error: string | null;
  external_id: string | null;
  client_id: string | null;
  quoted_message_id: number | null;
  media_url: string | null;
  media_name: string | null;
  media_mime: string | null;
  extra: Record<string, unknown>;
  reactions: Record<string, string>;
  is_edited: boolean;
  is_deleted: boolean;
  sender_name: string | null;
  created_at: string;
  updated_at: string;
}

export type ConnectionStatus =
  | "STOPPED"
  | "STARTING"
  | "QR"
  | "CONNECTED"
  | "RECONNECTING"
  | "QR_EXPIRED"
  | "LOGGED_OUT"
  | "REPLACED"
  | "BANNED"
  | "OUTDATED"
  | "FAILED";

export type Provider = "whatsapp" | "simulator";

export interface Connection {
  id: number;
  name: string;
  provider: Provider;
  status: ConnectionStatus;
  status_reason: string | null;
  status_changed_at: string;
  phone: string | null;
  is_default: boolean;
  greeting_message: string | null;
  farewell_message: string | null;
  queue_ids: number[];
}

export interface QrCode {
  code: string;
  image: string;
  expires_at: string;
}

export interface PairingCode {
  code: string;
  expires_at: string;
}

export interface QuickAnswer {
  id: number;
  shortcut: string;
  text: string;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Setting {
  key: string;
  value: JsonValue;
  default: JsonValue;
  description: string;
  value_schema: { type?: string; minimum?: number; maximum?: number };
}

// Socket.IO payloads: the REST shapes, plus the id-only removal and the QR/pairing codes.
export interface ServerEvents {
  "ticket.created": Ticket;
  "ticket.updated": Ticket;
  "ticket.removed": { id: number };
  "message.created": Message;
  "message.updated": Message;
  "contact.updated": Contact;
  "connection.updated": Connection;
  "connection.qr": QrCode & { id: number };
  "connection.pairing_code": PairingCode & { id: number };
}
