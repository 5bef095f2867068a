import { skipToken, useInfiniteQuery, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import { messages } from "../api/endpoints";
import { keys } from "../api/queries";
import type { Message, Ticket } from "../api/types";
import { chatMessages, chronological, type Pages } from "../realtime/cache";

function markSeen(client: QueryClient, ticketId: number): void {
  const seen = (ticket: Ticket) => (ticket.id === ticketId ? { ...ticket, unread_count: 0 } : ticket);
  client.setQueryData<Ticket>(keys.ticket(ticketId), (ticket) => ticket && seen(ticket));
  client.setQueriesData<Pages<Ticket>>({ queryKey: keys.ticketLists }, (data) =>
    data && { ...data, pages: data.pages.map((page) => ({ ...page, items: page.items.map(seen) })) },
  );
}

export function useMessages(ticketId: number) {
  const client = useQueryClient();
  const query = useInfiniteQuery({
    queryKey: keys.messages(ticketId),
    queryFn: ({ pageParam }) => messages.list(ticketId, pageParam, 40),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    staleTime: Infinity,
  });
  // Never fetched (`applyMessage` writes them), and kept while the tab lives: a refused message stays in sight.
  const unsent = useQuery<Message[]>({ queryKey: keys.unsentMessages(ticketId), queryFn: skipToken, gcTime: Infinity });
  const items = useMemo(() => chatMessages(query.data, unsent.data), [query.data, unsent.data]);

  // Reading the messages resets the ticket's unread count on the server: show it at once everywhere.
  useEffect(() => {
    if (query.isSuccess) markSeen(client, ticketId);
  }, [client, query.isSuccess, ticketId]);

  return { ...query, items };
}

/**
 * An open chat is read by the person looking at it: whenever its ticket counts unread messages (a customer's
 * message arrived, also one an automatic reply followed, or an older update put the count back), tell the server
 * (fetching the newest message is what marks a ticket read), unless the tab is hidden; then when it shows again.
 */
export function useReadWhileOpen(ticketId: number, unread: number): void {
  const client = useQueryClient();
  useEffect(() => {
    if (unread === 0) return;
    const read = () => {
      if (document.hidden) return;
      void messages.list(ticketId, null, 1).then(() => markSeen(client, ticketId));
    };
    const timer = window.setTimeout(read, 300);
    document.addEventListener("visibilitychange", read);
    return () => {
      window.clearTimeout(timer);
      document.removeEventListener("visibilitychange", read);
    };
  }, [client, ticketId, unread]);
}

// Where a page of the history around a message comes from: the jump itself, older pages of the list, or the
// messages after the newest one loaded.
type AroundParam = { around: number } | { older: string } | { newerThan: number };

function aroundPage(ticketId: number, param: AroundParam) {
  if ("around" in param) return messages.around(ticketId, param.around, 40);
  if ("older" in param) return messages.list(ticketId, param.older, 40);
  return messages.newer(ticketId, param.newerThan, 40);
}

/** The history around one message (a search result far back): that page first, then older pages as scrolled up
 * and newer ones as scrolled down, until the newest. Not kept live: new messages go to `useMessages`' pages. */
export function useMessagesAround(ticketId: number, messageId: number | null) {
  const query = useInfiniteQuery({
    queryKey: keys.messagesAround(ticketId, messageId ?? 0),
    queryFn: ({ pageParam }) => aroundPage(ticketId, pageParam),
    initialPageParam: { around: messageId ?? 0 } as AroundParam,
    getNextPageParam: (last): AroundParam | undefined => (last.next_cursor ? { older: last.next_cursor } : undefined),
    // pages[0] is the newest page loaded; a page of newer messages that ends before the newest says where to go on.
    getPreviousPageParam: (first, _pages, firstParam): AroundParam | undefined => {
      const newest = first.items[first.items.length - 1];
      if (!newest || ("newerThan" in firstParam && !first.next_cursor)) return undefined;
      return { newerThan: newest.id };
    },
    enabled: messageId !== null,
    staleTime: 30_000,
  });
  const items = useMemo(() => chronological(query.data), [query.data]);
  return { ...query, items };
}
