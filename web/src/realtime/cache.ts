// Pure cache edits the socket events apply: tickets in their filtered lists, messages in a chat.
import type { InfiniteData } from "@tanstack/react-query";
import type { TicketFilters } from "../api/endpoints";
import type { Connection, Message, Page, Ticket } from "../api/types";

export type Pages<T> = InfiniteData<Page<T>, unknown>;

export interface Viewer {
  id: number;
  role: "admin" | "agent";
  queue_ids: number[];
}

/** The server's visibility rule: admins see all; agents their queues, their own tickets, and unqueued pending ones. */
export function canSee(ticket: Ticket, viewer: Viewer): boolean {
  if (viewer.role === "admin" || ticket.assignee_id === viewer.id) return true;
  if (ticket.queue_id === null) return ticket.status === "pending";
  return viewer.queue_ids.includes(ticket.queue_id);
}

/** Whether `ticket` belongs in a list with `filters`; "unknown" when only the server can tell (text search). */
export function ticketMatches(ticket: Ticket, filters: TicketFilters, viewer: Viewer): boolean | "unknown" {
  const meId = viewer.id;
  if (!canSee(ticket, viewer)) return false;
  if (filters.status && ticket.status !== filters.status) return false;
  if (filters.queue_id !== undefined && ticket.queue_id !== filters.queue_id) return false;
  if (filters.connection_id !== undefined && ticket.connection_id !== filters.connection_id) return false;
  if (filters.assignee === "me" && ticket.assignee_id !== meId) return false;
  if (filters.assignee === "none" && ticket.assignee_id !== null) return false;
  if (filters.tag !== undefined && !ticket.tag_ids.includes(filters.tag)) return false;
  if (filters.search) return "unknown";
  return true;
}

/**
 * The server's UTC timestamp in a form whose text order is time order, to the microsecond: the API writes the
 * fraction only when there is one ("…:05Z" is earlier than "…:05.123Z", though "Z" sorts after ".").
 */
export function instant(iso: string): string {
  const match = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z$/.exec(iso);
  return match ? `${match[1]}.${(match[2] ?? "").padEnd(6, "0")}Z` : iso;
}

/** Newest activity first, ties by id: the server's order. */
export function compareTickets(a: Ticket, b: Ticket): number {
  const byTime = instant(b.last_activity_at).localeCompare(instant(a.last_activity_at));
  return byTime !== 0 ? byTime : b.id - a.id;
}

export function removeTicket(data: Pages<Ticket>, id: number): Pages<Ticket> {
  if (!data.pages.some((page) => page.items.some((item) => item.id === id))) return data;
  return { ...data, pages: data.pages.map((page) => ({ ...page, items: page.items.filter((t) => t.id !== id) })) };
}

/** Put `ticket` at its place in the list, once; past the loaded pages it waits until scrolled to. */
export function placeTicket(data: Pages<Ticket>, ticket: Ticket): Pages<Ticket> {
  const without = removeTicket(data, ticket.id);
  const pages = without.pages.map((page) => ({ ...page, items: [...page.items] }));
  for (let index = 0; index < pages.length; index += 1) {
    const page = pages[index]!;
    const at = page.items.findIndex((item) => compareTickets(ticket, item) < 0);
    const isLast = index === pages.length - 1;
    if (at >= 0) {
      page.items.splice(at, 0, ticket);
      return { ...without, pages };
    }
    if (isLast && page.next_cursor === null) {
      page.items.push(ticket);
      return { ...without, pages };
    }
  }
  return { ...without, pages };
}

/** Apply a ticket's new state to one cached list. */
export function applyTicket(data: Pages<Ticket>, ticket: Ticket, filters: TicketFilters, viewer: Viewer): Pages<Ticket> {
  const matches = ticketMatches(ticket, filters, viewer);
  const present = data.pages.some((page) => page.items.some((item) => item.id === ticket.id));
  if (matches === false) return removeTicket(data, ticket.id);
  if (matches === "unknown") return present ? placeTicket(data, ticket) : data;
  return placeTicket(data, ticket);
}

export function allTickets(data: Pages<Ticket> | undefined): Ticket[] {
  return data ? data.pages.flatMap((page) => page.items) : [];
}

/** Messages oldest first: pages[0] is the newest page, each page is chronological. */
export function chronological(data: Pages<Message> | undefined): Message[] {
  return data ? [...data.pages].reverse().flatMap((page) => page.items) : [];
}

/** Insert or replace a stored message (by id). */
export function upsertMessage(data: Pages<Message>, message: Message): Pages<Message> {
  if (data.pages.some((page) => page.items.some((item) => item.id === message.id))) {
    const pages = data.pages.map((page) => ({
      ...page,
      items: page.items.map((item) => (item.id === message.id ? newer(item, message) : item)),
    }));
    return { ...data, pages };
  }
  const [first, ...rest] = data.pages;
  if (!first) return { ...data, pages: [{ items: [message], next_cursor: null }], pageParams: [null] };
  return { ...data, pages: [{ ...first, items: [...first.items, message] }, ...rest] };
}

/*
 * The agent's messages the server has not stored (still sending, or refused), in the order sent. They are kept
 * apart from the fetched pages: a refetch of the chat (a reload of the event stream) replaces the pages, and a send
 * made before the chat's first page arrived has no pages to go into; neither may lose a message the agent wrote.
 */

/** `message` (not stored yet) in its place among the unsent ones: a resend replaces its failed copy. */
export function keepUnsent(unsent: Message[] | undefined, message: Message): Message[] {
  const list = unsent ?? [];
  const same = (item: Message) => item.client_id === message.client_id;
  return list.some(same) ? list.map((item) => (same(item) ? message : item)) : [...list, message];
}

/** The unsent messages without `message`'s copy: its stored copy arrived, or the agent discarded it. */
export function withoutUnsentCopy(unsent: Message[], message: Message): Message[] {
  return message.client_id === null ? unsent : unsent.filter((item) => item.client_id !== message.client_id);
}

/** The chat as shown, oldest first: the stored messages, then the unsent ones whose stored copy is not among them. */
export function chatMessages(data: Pages<Message> | undefined, unsent: Message[] | undefined): Message[] {
  const stored = chronological(data);
  if (!unsent?.length) return stored;
  const sent = new Set(stored.map((message) => message.client_id));
  return [...stored, ...unsent.filter((message) => !sent.has(message.client_id))];
}

/** A late, older copy (an event overtaken by the POST's answer) must not roll a status back. */
function newer(current: Message, incoming: Message): Message {
  return instant(incoming.updated_at) < instant(current.updated_at) ? current : incoming;
}

/**
 * The connection list with `incoming` in it, unless the list already holds a newer copy: the answer to "Conectar"
 * can arrive after the worker's own update (status QR) was pushed, and must not put the older status back.
 */
export function withConnection(list: Connection[], incoming: Connection): Connection[] {
  const known = list.find((item) => item.id === incoming.id);
  if (!known) return [...list, incoming];
  if (instant(known.updated_at) > instant(incoming.updated_at)) return list;
  return list.map((item) => (item.id === incoming.id ? incoming : item));
}
