// Every REST call the UI makes, typed. Components and hooks call these, never `fetch` directly.
import { request, toApiError, withQuery, type Query } from "./client";
import { session } from "../auth/session";

const PAGE_LIMIT = 100;

/** Every page of a small list (users, queues, quick answers): settings-sized, never the ticket stream. */
export async function fetchAll<T>(path: string, query: Query = {}): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page += 1) {
    const result: Page<T> = await request<Page<T>>(path, { query: { ...query, cursor, limit: PAGE_LIMIT } });
    items.push(...result.items);
    cursor = result.next_cursor ?? null;
    if (!cursor) break;
  }
  return items;
}
import type {
  AgentReportRow,
  ApiToken,
  ApiTokenInput,
  Assignee,
  CatchUp,
  CloudAccount,
  CloudCredentialsInput,
  Connection,
  ConnectionChange,
  ConnectionInput,
  Contact,
  ContactChange,
  CreatedApiToken,
  ContactField,
  ContactFieldChange,
  ContactFieldInput,
  ContactInput,
  DeadLetter,
  DeadLetterRetry,
  DirectoryUser,
  ForwardInput,
  ForwardResult,
  JsonValue,
  LoginResponse,
  Message,
  MessageTemplate,
  MenuPreviewRequest,
  Meta,
  AppNotification,
  Page,
  PairingCode,
  Preview,
  QrCode,
  Queue,
  QueueReportRow,
  QueueInput,
  QuickAnswer,
  QuickAnswerInput,
  ReportHeatmap,
  ReportSummary,
  ServiceWindow,
  ScheduledInput,
  ScheduledChange,
  ScheduledMessage,
  ScheduleStatus,
  Setting,
  TemplateMessageInput,
  Tag,
  TagInput,
  Ticket,
  TicketChange,
  TicketMetricsRow,
  TicketEvent,
  TicketStatus,
  User,
  UserChange,
  ReportNow,
  ConnectionReportRow,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointChange,
  WebhookEndpointInput,
  UserInput,
  PasswordChange,
  ProfileChange,
  UserPresence,
} from "./types";

export const auth = {
  login: (email: string, password: string) =>
    request<LoginResponse>("/api/auth/login", { method: "POST", json: { email, password }, auth: false }),
  logout: (refresh_token: string) =>
    request<void>("/api/auth/logout", { method: "POST", json: { refresh_token }, auth: false }),
  me: () => request<User>("/api/auth/me"),
  updateMe: (change: ProfileChange) => request<User>("/api/auth/me", { method: "PATCH", json: change }),
  changePassword: (change: PasswordChange) =>
    request<LoginResponse>("/api/auth/me/password", { method: "POST", json: change }),
};

export const presence = {
  /** Everyone online or away now (the rest are offline). */
  list: () => request<UserPresence[]>("/api/presence"),
};

export const meta = { get: () => request<Meta>("/api/meta", { auth: false }) };

export interface TicketFilters {
  status?: TicketStatus;
  queue_id?: number;
  connection_id?: number;
  assignee?: Assignee;
  search?: string;
  tag?: number;
  contact_id?: number;
}

export const tickets = {
  list: (filters: TicketFilters, cursor: string | null, limit = 30) =>
    request<Page<Ticket>>("/api/tickets", { query: { ...filters, cursor, limit } }),
  get: (id: number) => request<Ticket>(`/api/tickets/${id}`),
  update: (id: number, change: TicketChange) => request<Ticket>(`/api/tickets/${id}`, { method: "PATCH", json: change }),
  create: (contact_id: number, connection_id: number) =>
    request<Ticket>("/api/tickets", { method: "POST", json: { contact_id, connection_id } }),
  tag: (id: number, tagId: number, on: boolean) =>
    request<Ticket>(`/api/tickets/${id}/tags/${tagId}`, { method: on ? "PUT" : "DELETE" }),
  /** The ticket's whole history, oldest first (a few lines per ticket). */
  events: (id: number) => fetchAll<TicketEvent>(`/api/tickets/${id}/events`),
  /** A template (a quick answer) with its variables filled for this ticket ({{first_name}}, {{protocol}}…). */
  render: (id: number, text: string) =>
    request<{ text: string }>(`/api/tickets/${id}/render`, { method: "POST", json: { text } }).then((rendered) => rendered.text),
};

export interface NewMessage {
  body: string;
  client_id: string;
  quoted_message_id?: number | null;
  file?: File;
}

export const messages = {
  /** The customer sees "typing…" while this is repeated every few seconds, until `false` or a message. */
  typing: (ticketId: number, typing: boolean) =>
    request<void>(`/api/tickets/${ticketId}/typing`, { method: "POST", json: { typing } }),
  /** Newest page first; a page's `next_cursor` leads to the older one. */
  list: (ticketId: number, cursor: string | null, limit = 40) =>
    request<Page<Message>>(`/api/tickets/${ticketId}/messages`, { query: { cursor, limit } }),
  /** The ticket's messages whose text holds `q`, newest first; `next_cursor` leads to older matches. */
  search: (ticketId: number, q: string, cursor: string | null, limit = 100) =>
    request<Page<Message>>(`/api/tickets/${ticketId}/messages/search`, { query: { q, cursor, limit } }),
  /** A page with this message in the middle; its `next_cursor` continues with `list`. */
  around: (ticketId: number, messageId: number, limit = 40) =>
    request<Page<Message>>(`/api/tickets/${ticketId}/messages/${messageId}/around`, { query: { limit } }),
  /** The messages after this one, oldest first; `next_cursor` (the last one's id) while newer ones follow. */
  newer: (ticketId: number, messageId: number, limit = 40) =>
    request<Page<Message>>(`/api/tickets/${ticketId}/messages/${messageId}/newer`, { query: { limit } }),
  send: (ticketId: number, message: NewMessage) => {
    const path = `/api/tickets/${ticketId}/messages`;
    if (!message.file) {
      const { body, client_id, quoted_message_id } = message;
      return request<Message>(path, { method: "POST", json: { body, client_id, quoted_message_id } });
    }
    const form = new FormData();
    form.set("file", message.file);
    form.set("body", message.body);
    form.set("client_id", message.client_id);
    if (message.quoted_message_id) form.set("quoted_message_id", String(message.quoted_message_id));
    return request<Message>(path, { method: "POST", form });
  },
  voiceNote: (ticketId: number, note: { file: File; client_id: string; quoted_message_id: number | null }) => {
    const form = new FormData();
    form.set("file", note.file);
    form.set("client_id", note.client_id);
    if (note.quoted_message_id) form.set("quoted_message_id", String(note.quoted_message_id));
    return request<Message>(`/api/tickets/${ticketId}/voice-notes`, { method: "POST", form });
  },
  retry: (id: number) => request<Message>(`/api/messages/${id}/retry`, { method: "POST" }),
  react: (id: number, emoji: string) => request<Message>(`/api/messages/${id}/reaction`, { method: "PUT", json: { emoji } }),
  window: (ticketId: number) => request<ServiceWindow>(`/api/tickets/${ticketId}/messages/window`),
  sendTemplate: (ticketId: number, input: TemplateMessageInput) =>
    request<Message>(`/api/tickets/${ticketId}/template-messages`, { method: "POST", json: input }),
  previewTemplate: (ticketId: number, input: TemplateMessageInput) =>
    request<{ text: string }>(`/api/tickets/${ticketId}/template-messages/preview`, { method: "POST", json: input }),
  note: (ticketId: number, note: { body: string; client_id: string }) =>
    request<Message>(`/api/tickets/${ticketId}/notes`, { method: "POST", json: note }),
  edit: (id: number, body: string) => request<Message>(`/api/messages/${id}`, { method: "PATCH", json: { body } }),
  deleteForEveryone: (id: number) => request<Message>(`/api/messages/${id}`, { method: "DELETE" }),
  forward: (input: ForwardInput) => request<ForwardResult>("/api/messages/forward", { method: "POST", json: input }),
};

export const contacts = {
  list: (search: string, cursor: string | null, limit = PAGE_LIMIT, tag?: number) =>
    request<Page<Contact>>("/api/contacts", { query: { search, cursor, limit, tag } }),
  tag: (id: number, tagId: number, on: boolean) =>
    request<Contact>(`/api/contacts/${id}/tags/${tagId}`, { method: on ? "PUT" : "DELETE" }),
  create: (input: ContactInput) => request<Contact>("/api/contacts", { method: "POST", json: input }),
  update: (id: number, input: ContactChange) => request<Contact>(`/api/contacts/${id}`, { method: "PATCH", json: input }),
  remove: (id: number) => request<void>(`/api/contacts/${id}`, { method: "DELETE" }),
  get: (id: number) => request<Contact>(`/api/contacts/${id}`),
  fields: () => request<ContactField[]>("/api/contact-fields"),
  createField: (input: ContactFieldInput) => request<ContactField>("/api/contact-fields", { method: "POST", json: input }),
  updateField: (id: number, change: ContactFieldChange) =>
    request<ContactField>(`/api/contact-fields/${id}`, { method: "PATCH", json: change }),
  removeField: (id: number) => request<void>(`/api/contact-fields/${id}`, { method: "DELETE" }),
};

export const users = {
  list: () => fetchAll<User>("/api/users"),
  directory: () => request<DirectoryUser[]>("/api/users/directory"),
  create: (input: UserInput) => request<User>("/api/users", { method: "POST", json: input }),
  update: (id: number, input: UserChange) => request<User>(`/api/users/${id}`, { method: "PATCH", json: input }),
  remove: (id: number) => request<void>(`/api/users/${id}`, { method: "DELETE" }),
};

export const queues = {
  list: () => fetchAll<Queue>("/api/queues"),
  create: (input: QueueInput) => request<Queue>("/api/queues", { method: "POST", json: input }),
  update: (id: number, input: QueueInput) => request<Queue>(`/api/queues/${id}`, { method: "PATCH", json: input }),
  remove: (id: number) => request<void>(`/api/queues/${id}`, { method: "DELETE" }),
};

export const tags = {
  list: () => fetchAll<Tag>("/api/tags"),
  create: (input: TagInput) => request<Tag>("/api/tags", { method: "POST", json: input }),
  update: (id: number, input: TagInput) => request<Tag>(`/api/tags/${id}`, { method: "PATCH", json: input }),
  remove: (id: number) => request<void>(`/api/tags/${id}`, { method: "DELETE" }),
};

export const quickAnswers = {
  list: (search = "") => fetchAll<QuickAnswer>("/api/quick-answers", { search }),
  create: (input: QuickAnswerInput) => request<QuickAnswer>("/api/quick-answers", { method: "POST", json: input }),
  update: (id: number, input: QuickAnswerInput) =>
    request<QuickAnswer>(`/api/quick-answers/${id}`, { method: "PATCH", json: input }),
  remove: (id: number) => request<void>(`/api/quick-answers/${id}`, { method: "DELETE" }),
};

export const deadLetters = {
  list: () => fetchAll<DeadLetter>("/api/dead-letters"),
  retry: (id: number) => request<DeadLetterRetry>(`/api/dead-letters/${id}/retry`, { method: "POST" }),
  discard: (id: number) => request<void>(`/api/dead-letters/${id}`, { method: "DELETE" }),
};

export const automation = {
  menuPreview: (input: MenuPreviewRequest) => request<Preview>("/api/automation/menu-preview", { method: "POST", json: input }),
};

export const scheduled = {
  list: (status?: ScheduleStatus, contactId?: number) =>
    fetchAll<ScheduledMessage>("/api/scheduled-messages", { status, contact_id: contactId }),
  create: (input: ScheduledInput) => request<ScheduledMessage>("/api/scheduled-messages", { method: "POST", json: input }),
  /** A file with `input.body` as its caption. */
  createWithFile: (input: ScheduledInput, file: File) => {
    const form = new FormData();
    form.set("file", file);
    form.set("connection_id", String(input.connection_id));
    form.set("contact_id", String(input.contact_id));
    form.set("send_at", input.send_at);
    form.set("body", input.body ?? "");
    return request<ScheduledMessage>("/api/scheduled-messages/with-file", { method: "POST", form });
  },
  update: (id: number, change: ScheduledChange) =>
    request<ScheduledMessage>(`/api/scheduled-messages/${id}`, { method: "PATCH", json: change }),
  cancel: (id: number) => request<ScheduledMessage>(`/api/scheduled-messages/${id}/cancel`, { method: "POST" }),
};

export const settings = {
  list: () => request<Setting[]>("/api/settings"),
  put: (key: string, value: JsonValue) =>
    request<Setting>(`/api/settings/${encodeURIComponent(key)}`, { method: "PUT", json: { value } }),
};

export const connections = {
  list: () => fetchAll<Connection>("/api/connections"),
  create: (input: ConnectionInput) => request<Connection>("/api/connections", { method: "POST", json: input }),
  update: (id: number, input: ConnectionChange) =>
    request<Connection>(`/api/connections/${id}`, { method: "PATCH", json: input }),
  remove: (id: number) => request<void>(`/api/connections/${id}`, { method: "DELETE" }),
  connect: (id: number, phone?: string) =>
    request<Connection>(`/api/connections/${id}/connect`, { method: "POST", json: phone ? { phone } : {} }),
  qr: (id: number) => request<QrCode>(`/api/connections/${id}/qr`),
  logout: (id: number) => request<Connection>(`/api/connections/${id}/logout`, { method: "POST" }),
  restart: (id: number) => request<Connection>(`/api/connections/${id}/restart`, { method: "POST" }),
  cloud: (id: number) => request<CloudAccount>(`/api/connections/${id}/cloud`),
  setCloud: (id: number, input: CloudCredentialsInput) =>
    request<CloudAccount>(`/api/connections/${id}/cloud`, { method: "PUT", json: input }),
  templates: (id: number, refresh = false) =>
    request<Page<MessageTemplate>>(`/api/connections/${id}/templates`, { query: { refresh: refresh || undefined } }),
};

export const apiTokens = {
  list: () => request<ApiToken[]>("/api/tokens"),
  create: (input: ApiTokenInput) => request<CreatedApiToken>("/api/tokens", { method: "POST", json: input }),
  revoke: (id: number) => request<ApiToken>(`/api/tokens/${id}`, { method: "DELETE" }),
};

export const webhooks = {
  list: () => request<WebhookEndpoint[]>("/api/webhook-endpoints"),
  create: (input: WebhookEndpointInput) =>
    request<WebhookEndpoint>("/api/webhook-endpoints", { method: "POST", json: input }),
  update: (id: number, change: WebhookEndpointChange) =>
    request<WebhookEndpoint>(`/api/webhook-endpoints/${id}`, { method: "PATCH", json: change }),
  remove: (id: number) => request<void>(`/api/webhook-endpoints/${id}`, { method: "DELETE" }),
  deliveries: (id: number) => request<WebhookDelivery[]>(`/api/webhook-endpoints/${id}/deliveries`),
  resend: (deliveryId: number) =>
    request<WebhookDelivery>(`/api/webhook-deliveries/${deliveryId}/resend`, { method: "POST" }),
};

export const notifications = {
  list: () => request<Page<AppNotification>>("/api/notifications", { query: { limit: 30 } }),
  /** These (or, without ids, all) read. */
  markRead: (ids?: number[]) => request<{ ids: number[] }>("/api/notifications/read", { method: "POST", json: ids ? { ids } : {} }),
};

export const events = {
  /** What this user may see after position `after` (none: only the current position, with `resync`). */
  after: (after: number | null) => request<CatchUp>("/api/events", { query: { after } }),
};

export type {
  ApiTokenInput,
  Assignee,
  CloudCredentialsInput,
  ContactChange,
  PairingCode,
  TemplateMessageInput,
  TicketChange,
  UserChange,
  WebhookEndpointInput,
};

/** A report's period (whole days, inclusive) and filters, as `/api/reports/*` take them. */
export interface ReportQuery {
  start: string;
  end: string;
  tz?: string; // the workspace's time zone when omitted
  queue_id?: number | null;
  connection_id?: number | null;
  user_id?: number | null;
}

/** Which seconds a report's durations count: all of them, or only those inside business hours. */
export type ReportHours = "all" | "business";

/** The figures' reports (summary, agents, queues, connections) take the clock their durations count on. */
export interface FiguresQuery extends ReportQuery {
  hours?: ReportHours;
}

/** The ticket report's filters besides the period's: the ticket list's. */
export interface TicketReportQuery extends ReportQuery {
  status?: TicketStatus | null;
  tag?: number | null;
  rating?: number | null;
  search?: string | null;
}

export const reports = {
  summary: (query: FiguresQuery) => request<ReportSummary>("/api/reports/summary", { query: { ...query } }),
  agents: (query: FiguresQuery) => request<AgentReportRow[]>("/api/reports/agents", { query: { ...query } }),
  queues: (query: FiguresQuery) => request<QueueReportRow[]>("/api/reports/queues", { query: { ...query } }),
  connections: (query: FiguresQuery) =>
    request<ConnectionReportRow[]>("/api/reports/connections", { query: { ...query } }),
  heatmap: (query: ReportQuery) => request<ReportHeatmap>("/api/reports/heatmap", { query: { ...query } }),
  tickets: (query: TicketReportQuery, after: number | null) =>
    request<TicketMetricsRow[]>("/api/reports/tickets", { query: { ...query, after, limit: 50 } }),
  now: () => request<ReportNow>("/api/reports/now"),
  /** The whole ticket report as a file (the server streams it), saved under its own name. */
  async download(query: TicketReportQuery, format: "csv" | "xlsx", sep: "," | ";" = ";"): Promise<void> {
    const token = await session.accessToken();
    const url = withQuery("/api/reports/tickets", { ...query, format, sep });
    const response = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    if (!response.ok) throw await toApiError(response);
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await response.blob());
    link.download = `zapdesk-tickets-${query.start}-${query.end}.${format}`;
    link.click();
    URL.revokeObjectURL(link.href);
  },
};
