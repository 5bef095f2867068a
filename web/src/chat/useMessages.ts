import { useInfiniteQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect, useMemo } from "react";
import { messages } from "../api/endpoints";
import { keys } from "../api/queries";
import type { Ticket } from "../api/types";
import { chronological, type Pages } from "../realtime/cache";

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
  const items = useMemo(() => chronological(query.data), [query.data]);
  const last = items[items.length - 1];
  const unreadArrived = query.isSuccess && last !== undefined && !last.from_me ? last.id : null;

  // Reading the messages resets the ticket's unread count on the server: show it at once everywhere.
  useEffect(() => {
    if (query.isSuccess) markSeen(client, ticketId);
  }, [client, query.isSuccess, ticketId]);

  // A message arriving in the open chat is read by the person looking at it: tell the server (fetching the
  // newest message is what marks a ticket read), unless the tab is hidden; then when it shows again.
  useEffect(() => {
    if (unreadArrived === null) return;
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
  }, [client, ticketId, unreadArrived]);

  return { ...query, items };
}
