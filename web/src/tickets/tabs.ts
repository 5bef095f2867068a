// The ticket tabs and the list filters each one means.
import type { TicketFilters } from "../api/endpoints";
import type { MessageKey } from "../i18n/translate";

export type TabId = "open" | "pending" | "closed" | "all";

export const MINE_FILTERS: TicketFilters = { status: "open", assignee: "me" };
export const PENDING_FILTERS: TicketFilters = { status: "pending" };

export const TABS: { id: TabId; label: MessageKey; filters: TicketFilters; adminOnly?: boolean }[] = [
  { id: "open", label: "tickets.tab.open", filters: MINE_FILTERS },
  { id: "pending", label: "tickets.tab.pending", filters: PENDING_FILTERS },
  { id: "closed", label: "tickets.tab.closed", filters: { status: "closed" } },
  { id: "all", label: "tickets.tab.all", filters: {}, adminOnly: true },
];

export interface ListRefinements {
  queueId?: number | undefined;
  connectionId?: number | undefined;
  tagId?: number | undefined;
  search?: string | undefined;
}

/** A tab's filters plus the search box and the queue/connection pickers; empty parts are left out of the key. */
export function filtersFor(tab: TabId, refine: ListRefinements): TicketFilters {
  const base = TABS.find((item) => item.id === tab)?.filters ?? {};
  const filters: TicketFilters = { ...base };
  if (refine.queueId !== undefined) filters.queue_id = refine.queueId;
  if (refine.connectionId !== undefined) filters.connection_id = refine.connectionId;
  if (refine.tagId !== undefined) filters.tag = refine.tagId;
  const search = refine.search?.trim();
  if (search) filters.search = search;
  return filters;
}

/** Which tab shows a ticket for me: where "Aceitar" sends it, what opening a link selects. */
export function tabOf(status: string, assigneeId: number | null, meId: number): TabId {
  if (status === "pending") return "pending";
  if (status === "closed") return "closed";
  return assigneeId === meId ? "open" : "all";
}
