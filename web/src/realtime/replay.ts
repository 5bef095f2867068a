// A refetch answers with the state of when it started: events that arrived while it was in flight would be
// overwritten by it. So each answer gets the events received since its request left applied again on top.
import type { QueryCacheNotifyEvent, QueryClient } from "@tanstack/react-query";
import type { TicketFilters } from "../api/endpoints";
import { keys } from "../api/queries";
import type { Connection, Message, Ticket } from "../api/types";
import { applyTicket, upsertMessage, withConnection, type Pages, type Viewer } from "./cache";

const KEEP_MS = 120_000;

interface Received<T> {
  at: number;
  item: T;
}

export class EventReplay {
  private readonly tickets = new Map<number, Received<Ticket>>();
  private readonly messages = new Map<number, Received<Message>>();
  private readonly connections = new Map<number, Received<Connection>>();
  private readonly fetchStarted = new Map<string, number>();

  constructor(
    private readonly client: QueryClient,
    private readonly viewer: () => Viewer,
    private readonly now: () => number = Date.now,
  ) {}

  ticket(ticket: Ticket): void {
    this.tickets.set(ticket.id, { at: this.now(), item: ticket });
    this.prune();
  }

  message(message: Message): void {
    this.messages.set(message.id, { at: this.now(), item: message });
    this.prune();
  }

  connection(connection: Connection): void {
    this.connections.set(connection.id, { at: this.now(), item: connection });
    this.prune();
  }

  forgetTicket(id: number): void {
    this.tickets.delete(id);
  }

  forgetConnection(id: number): void {
    this.connections.delete(id);
  }

  /** The query cache listener: remembers when fetches start, replays over what they bring back. */
  readonly onCacheEvent = (event: QueryCacheNotifyEvent): void => {
    if (event.type !== "updated") return;
    const { query, action } = event;
    if (action.type === "fetch") {
      this.fetchStarted.set(query.queryHash, this.now());
      return;
    }
    if (action.type !== "success" || action.manual) return;
    const since = this.fetchStarted.get(query.queryHash);
    this.fetchStarted.delete(query.queryHash);
    if (since === undefined) return;
    const [kind, arg] = query.queryKey as [string, unknown];
    if (kind === keys.ticketLists[0]) {
      const filters = (arg ?? {}) as TicketFilters;
      const late = receivedSince(this.tickets, since);
      if (late.length === 0) return;
      this.client.setQueryData<Pages<Ticket>>(query.queryKey, (data) =>
        late.reduce((current, { item }) => current && applyTicket(current, item, filters, this.viewer()), data),
      );
    } else if (kind === "messages") {
      const late = receivedSince(this.messages, since).filter((entry) => entry.item.ticket_id === arg);
      if (late.length === 0) return;
      this.client.setQueryData<Pages<Message>>(query.queryKey, (data) =>
        late.reduce((current, { item }) => current && upsertMessage(current, item), data),
      );
    } else if (kind === keys.connections[0]) {
      // "Desconectar" refetches the list while the worker logs out: its update must not lose to that answer.
      const late = receivedSince(this.connections, since);
      if (late.length === 0) return;
      this.client.setQueryData<Connection[]>(query.queryKey, (data) =>
        late.reduce((current, { item }) => current && withConnection(current, item), data),
      );
    }
  };

  private prune(): void {
    const oldest = this.now() - KEEP_MS;
    for (const store of [this.tickets, this.messages, this.connections] as Map<number, Received<unknown>>[]) {
      for (const [id, entry] of store) if (entry.at < oldest) store.delete(id);
    }
  }
}

function receivedSince<T>(store: Map<number, Received<T>>, since: number): Received<T>[] {
  return [...store.values()].filter((entry) => entry.at >= since);
}
