// Turns socket events into cache updates, and refetches what is on screen on every (re)connect.
import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { ApiError } from "../api/client";
import { tickets, type TicketFilters } from "../api/endpoints";
import { keys } from "../api/queries";
import type { Connection, Contact, Message, Page, Ticket } from "../api/types";
import { notifyMessage, notifyTicket } from "../attention/notify";
import { useMe } from "../auth/AuthProvider";
import { useI18n } from "../i18n/I18nProvider";
import { applyTicket, canSee, removeTicket, upsertMessage, type Pages, type Viewer } from "./cache";
import { EventReplay } from "./replay";
import { openSocket } from "./socket";

export type RealtimeStatus = "connecting" | "online" | "lost";

const StatusContext = createContext<RealtimeStatus>("connecting");

export function useRealtimeStatus(): RealtimeStatus {
  return useContext(StatusContext);
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

export function applyMessage(client: QueryClient, message: Message): void {
  client.setQueryData<Pages<Message>>(keys.messages(message.ticket_id), (data) => data && upsertMessage(data, message));
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

function applyConnection(client: QueryClient, connection: Connection): void {
  client.setQueryData<Connection[]>(keys.connections, (list) => {
    if (!list) return list;
    const known = list.some((item) => item.id === connection.id);
    return known ? list.map((item) => (item.id === connection.id ? connection : item)) : [...list, connection];
  });
}

export function RealtimeProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const me = useMe();
  const { t } = useI18n();
  const [status, setStatus] = useState<RealtimeStatus>("connecting");
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
    const t = (...args: Parameters<typeof latest.current.t>) => latest.current.t(...args);
    socket.on("connect", () => {
      setStatus("online");
      // Whatever happened while we were away, or before this first connection (the lists may have loaded
      // before it, and events sent in between reached nobody): refetch the lists and the chat on screen.
      void client.invalidateQueries();
    });
    socket.on("disconnect", () => setStatus("lost"));
    socket.on("connect_error", () => setStatus("lost"));

    socket.on("ticket.created", (ticket) => {
      replay.ticket(ticket);
      applyTicketEverywhere(client, ticket, viewer());
      if (ticket.status === "pending") notifyTicket(ticket, t);
    });
    socket.on("ticket.updated", (ticket) => {
      replay.ticket(ticket);
      applyTicketEverywhere(client, ticket, viewer());
    });
    socket.on("ticket.removed", ({ id }) => {
      tickets.get(id).then(
        (ticket) => applyTicketEverywhere(client, ticket, viewer()),
        (error: unknown) => {
          if (error instanceof ApiError && (error.status === 403 || error.status === 404)) {
            replay.forgetTicket(id);
            dropTicketEverywhere(client, id);
          }
        },
      );
    });
    socket.on("message.created", (message) => {
      replay.message(message);
      applyMessage(client, message);
      const ticket = client.getQueryData<Ticket>(keys.ticket(message.ticket_id));
      if (!message.from_me && ticket?.assignee_id === viewer().id) notifyMessage(ticket, t);
    });
    socket.on("message.updated", (message) => {
      replay.message(message);
      applyMessage(client, message);
    });
    socket.on("contact.updated", (contact) => applyContact(client, contact));
    socket.on("connection.updated", (connection) => applyConnection(client, connection));
    socket.on("connection.qr", ({ id, ...qr }) => client.setQueryData(keys.qr(id), qr));
    socket.on("connection.pairing_code", ({ id, ...code }) => client.setQueryData(keys.pairing(id), code));

    return () => {
      stopReplay();
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [client, userId]);

  return <StatusContext.Provider value={status}>{children}</StatusContext.Provider>;
}

export type { Page };
