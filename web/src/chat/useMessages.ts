import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { messages } from "../api/endpoints";
import { keys } from "../api/queries";
import type { Ticket } from "../api/types";
import { chronological } from "../realtime/cache";

export function useMessages(ticketId: number) {
  const client = useQueryClient();
  const query = useInfiniteQuery({
    queryKey: keys.messages(ticketId),
    queryFn: ({ pageParam }) => messages.list(ticketId, pageParam, 40),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    staleTime: Infinity,
  });
  const loaded = query.isSuccess;
  // Reading the messages resets the ticket's unread count on the server; show it at once.
  useEffect(() => {
    if (!loaded) return;
    client.setQueryData<Ticket>(keys.ticket(ticketId), (ticket) => ticket && { ...ticket, unread_count: 0 });
  }, [client, loaded, ticketId]);
  return { ...query, items: chronological(query.data) };
}
