import { useQuery } from "@tanstack/react-query";
import { tickets } from "../api/endpoints";
import { keys } from "../api/queries";

/** A ticket's history lines; new ones arrive by the socket (`ticket.event`). */
export function useTicketHistory(ticketId: number) {
  return useQuery({ queryKey: keys.ticketEvents(ticketId), queryFn: () => tickets.events(ticketId), staleTime: Infinity });
}
