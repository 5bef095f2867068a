import { useInfiniteQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { tickets, type TicketFilters } from "../api/endpoints";
import { keys } from "../api/queries";
import { allTickets } from "../realtime/cache";

export function useTicketList(filters: TicketFilters) {
  const query = useInfiniteQuery({
    queryKey: keys.ticketList(filters),
    queryFn: ({ pageParam }) => tickets.list(filters, pageParam, 30),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    // Socket events keep lists current; a refetch would only reorder what the user is looking at.
    staleTime: Infinity,
  });
  const items = useMemo(() => allTickets(query.data), [query.data]);
  return { ...query, items };
}
