// Turns events into cache updates: live from the socket, and after every (re)connect the ones missed meanwhile
// (by position, see stream.ts), or a refetch of what is on screen when too far behind.
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { ApiError } from "../api/client";
import { events, tickets, type TicketFilters } from "../api/endpoints";
import { keys } from "../api/queries";
import type {
  Connection,
  Contact,
  Message,
  NotificationPreferences,
  Page,
  ScheduledMessage,
  ServerEvent,
  Ticket,
  TicketEvent,
} from "../api/types";
import { notifyAttention, notifyMessage, notifyTicket } from "../attention/notify";
import { addNotification, markNotificationsRead } from "../notifications/useNotifications";
import { useMe } from "../auth/AuthProvider";
import { useI18n } from "../i18n/I18nProvider";
import { applyPresence, watchAway } from "../presence/presence";
import {
  applyTicket,
  canSee,
  keepUnsent,
  removeTicket,
  upsertMessage,
  withConnection,
  withoutUnsentCopy,
  type Pages,
  type Viewer,
} from "./cache";
import { EventReplay } from "./replay";
import { openSocket } from "./socket";
import { EventStream } from "./stream";

export type RealtimeStatus = "connecting" | "online" | "lost";

const StatusContext = createContext<RealtimeStatus>("connecting");
const PositionContext = createContext<number | null>(null);

export function useRealtimeStatus(): RealtimeStatus {
  return useContext(StatusContext);
}

/** The position of the last event applied (null before the first answer). */
export function useRealtimePosition(): number | null {
  return useContext(PositionContext);
}

export function applyTicketEverywhere(client: QueryClient, ticket: Ticket, viewer: Viewer): void {
  if (!canSee(ticket, viewer)) {
    // Transferred out of my reach: it leaves every list, and an open chat of it asks the server (and gets 403).
    dropTicketEverywhere(client, ticket.id);
    return;
  }
  for (const query of client.getQueryCache().findAll({ queryKey: keys.ticketLists })) {
    const filters = (query.queryKey[1] ?? {}) as TicketFilters;
    client.setQueryData<Pages<Ticket>>(query.queryKey, (data) => data && applyTicket(data, ticket, filters, viewer));
  }
  client.setQueryData(keys.ticket(ticket.id), ticket);
}

function dropTicketEverywhere(client: QueryClient, id: number): void {
  client.setQueriesData<Pages<Ticket>>({ queryKey: keys.ticketLists }, (data) => data && removeTicket(data, id));
  client.removeQueries({ queryKey: keys.messages(id) });
  void client.invalidateQueries({ queryKey: keys.ticket(id) });
}

/** A message into its chat: a stored one into the fetched pages (replacing its unsent copy), one the server has not
 * stored yet (negative id: sending, or refused) among the chat's unsent messages. */
export function applyMessage(client: QueryClient, message: Message): void {
  if (message.id < 0) {
    client.setQueryData<Message[]>(keys.unsentMessages(message.ticket_id), (list) => keepUnsent(list, message));
    return;
  }
  forgetUnsent(client, message);
  client.setQueryData<Pages<Message>>(keys.messages(message.ticket_id), (data) => data && upsertMessage(data, message));
}

/** Out of the chat's unsent messages: its stored copy arrived, or the agent discarded it. */
export function forgetUnsent(client: QueryClient, message: Message): void {
  client.setQueryData<Message[]>(keys.unsentMessages(message.ticket_id), (list) => list && withoutUnsentCopy(list, message));
}

function applyContact(client: QueryClient, contact: Contact): void {
  client.setQueriesData<Pages<Ticket>>({ queryKey: keys.ticketLists }, (data) =>
    data
      ? {
          ...data,
          pages: data.pages.map((page) => ({
            ...page,
            items: page.items.map((t) => (t.contact.id === contact.id ? { ...t, contact: { ...t.contact, ...pick(contact) } } : t)),
          })),
        }
      : data,
  );
  void client.invalidateQueries({ queryKey: keys.contacts });
}

function pick(contact: Contact): Ticket["contact"] {
  const { id, name, phone, profile_picture_url, is_group } = contact;
  return { id, name, phone, profile_picture_url, is_group };
}

function isScheduled(client: QueryClient, messageId: number): boolean {
  return client
    .getQueriesData<ScheduledMessage[]>({ queryKey: keys.scheduled })
    .some(([, list]) => list?.some((item) => item.message_id === messageId));
}

/** Apply one event to the cache; each kind is matched on its name, which types its payload. */
function applyEvent(
  client: QueryClient,
  replay: EventReplay,
  event: ServerEvent,
  viewer: () => Viewer,
  t: Translate,
  prefs: () => NotificationPreferences,
): void {
  // A ticket that arrives, is taken or closes changes who waits now (the dashboard's live figure).
  if (event.name.startsWith("ticket.")) void client.invalidateQueries({ queryKey: keys.waitingNow });
  switch (event.name) {
    case "ticket.created":
      replay.ticket(event.payload);
      applyTicketEverywhere(client, event.payload, viewer());
      if (event.payload.status === "pending") notifyTicket(event.payload, t, prefs());
      return;
    case "ticket.updated":
      replay.ticket(event.payload);
      applyTicketEverywhere(client, event.payload, viewer());
      return;
    case "ticket.removed": {
      const { id } = event.payload;
      tickets.get(id).then(
        (ticket) => applyTicketEverywhere(client, ticket, viewer()),
        (error: unknown) => {
          if (error instanceof ApiError && (error.status === 403 || error.status === 404)) {
            replay.forgetTicket(id);
            dropTicketEverywhere(client, id);
          }
        },
      );
      return;
    }
    case "ticket.event": {
      const line = event.payload;
      client.setQueryData<TicketEvent[]>(keys.ticketEvents(line.ticket_id), (lines) =>
        lines && !lines.some((known) => known.id === line.id) ? [...lines, line] : lines,
      );
      return;
    }
    case "message.created": {
      const message = event.payload;
      replay.message(message);
      applyMessage(client, message);
      // The customer wrote: a closed 24-hour window (Cloud API) opens again.
      if (!message.from_me) void client.invalidateQueries({ queryKey: keys.window(message.ticket_id) });
      const ticket = client.getQueryData<Ticket>(keys.ticket(message.ticket_id));
      if (!message.from_me && ticket?.assignee_id === viewer().id) notifyMessage(ticket, t, prefs());
      return;
    }
    case "message.updated":
      replay.message(event.payload);
      applyMessage(client, event.payload);
      // A scheduled message's state follows the message it became (sent, failed).
      if (isScheduled(client, event.payload.id)) void client.invalidateQueries({ queryKey: keys.scheduled });
      return;
    case "contact.updated":
      applyContact(client, event.payload);
      return;
    case "contact.removed":
      void client.invalidateQueries({ queryKey: keys.contacts });
      return;
    case "connection.updated":
      replay.connection(event.payload);
      client.setQueryData<Connection[]>(keys.connections, (list) => list && withConnection(list, event.payload));
      return;
    case "connection.deleted":
      replay.forgetConnection(event.payload.id);
      client.setQueryData<Connection[]>(keys.connections, (list) => list?.filter((item) => item.id !== event.payload.id));
      return;
    case "connection.qr": {
      const { id, ...qr } = event.payload;
      client.setQueryData(keys.qr(id), qr);
      return;
    }
    case "connection.pairing_code": {
      const { id, ...code } = event.payload;
      client.setQueryData(keys.pairing(id), code);
      return;
    }
    case "queue.created":
    case "queue.updated":
    case "queue.removed":
      void client.invalidateQueries({ queryKey: keys.queues });
      return;
    case "notification.created":
      addNotification(client, event.payload);
      notifyAttention(event.payload, t, prefs());
      return;
    case "notification.read":
      markNotificationsRead(client, event.payload.ids);
      return;
    case "tag.created":
    case "tag.updated":
      void client.invalidateQueries({ queryKey: keys.tags });
      return;
    case "tag.removed":
      // Gone from every ticket too: lists filtered by it, and rows showing it, ask again.
      void client.invalidateQueries({ queryKey: keys.tags });
      void client.invalidateQueries({ queryKey: keys.ticketLists });
      return;
    case "scheduled_message.updated":
      void client.invalidateQueries({ queryKey: keys.scheduled });
      return;
    case "user.created":
    case "user.updated":
    case "user.removed":
      void client.invalidateQueries({ queryKey: keys.users });
      void client.invalidateQueries({ queryKey: keys.directory });
      return;
  }
}

type Translate = ReturnType<typeof useI18n>["t"];

export function RealtimeProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const me = useMe();
  const { t } = useI18n();
  const [status, setStatus] = useState<RealtimeStatus>("connecting");
  const [position, setPosition] = useState<number | null>(null);
  // The socket lives as long as the sign-in: switching language must not reconnect it.
  const latest = useRef({ me, t });
  useLayoutEffect(() => {
    latest.current = { me, t };
  });
  const userId = me.id;

  useEffect(() => {
    const socket = openSocket();
    const viewer = () => latest.current.me;
    const replay = new EventReplay(client, viewer);
    const stopReplay = client.getQueryCache().subscribe(replay.onCacheEvent);
    const t: Translate = (...args) => latest.current.t(...args);
    const stream = new EventStream({
      apply: (event) => applyEvent(client, replay, event, viewer, t, () => latest.current.me.notifications),
      // Too far behind (or the first connection: lists may have loaded before it): refetch what is on screen.
      reload: () => client.invalidateQueries(),
      fetchAfter: (after) => events.after(after),
      moved: setPosition,
    });
    let away = false;
    socket.on("connect", () => {
      // A new socket starts online: say again if this tab is away, and read who came and went meanwhile.
      if (away) socket.emit("presence", { away });
      void client.invalidateQueries({ queryKey: keys.presence });
      void stream.resume().then(() => {
        if (socket.connected) setStatus("online");
      });
    });
    socket.on("presence", (change) => applyPresence(client, change));
    const stopWatching = watchAway((now) => {
      away = now;
      if (socket.connected) socket.emit("presence", { away });
    });
    socket.on("disconnect", () => setStatus("lost"));
    socket.on("connect_error", () => setStatus("lost"));
    socket.on("event", (event) => stream.receive(event));

    return () => {
      stopWatching();
      stopReplay();
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [client, userId]);

  return (
    <PositionContext.Provider value={position}>
      <StatusContext.Provider value={status}>{children}</StatusContext.Provider>
    </PositionContext.Provider>
  );
}

export type { Page };
