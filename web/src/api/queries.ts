// Shared server-state hooks and their cache keys: one key per resource, used by the socket module too.
import { useQuery } from "@tanstack/react-query";
import { ApiError } from "./client";
import { connections, meta, queues, tags, users } from "./endpoints";
import type { TicketFilters } from "./endpoints";

export const keys = {
  meta: ["meta"] as const,
  queues: ["queues"] as const,
  tags: ["tags"] as const,
  notifications: ["notifications"] as const,
  connections: ["connections"] as const,
  directory: ["directory"] as const,
  presence: ["presence"] as const,
  ticketLists: ["tickets"] as const,
  ticketList: (filters: TicketFilters) => ["tickets", filters] as const,
  ticket: (id: number) => ["ticket", id] as const,
  messages: (ticketId: number) => ["messages", ticketId] as const,
  // Written only here, never fetched: what a refetch of `messages` brings cannot replace them.
  unsentMessages: (ticketId: number) => ["unsent-messages", ticketId] as const,
  // Not under `messages`: live updates go to the newest pages only.
  messagesAround: (ticketId: number, messageId: number) => ["messages-around", ticketId, messageId] as const,
  messageSearch: (ticketId: number, q: string) => ["message-search", ticketId, q] as const,
  ticketEvents: (ticketId: number) => ["ticket-events", ticketId] as const,
  qr: (connectionId: number) => ["connection-qr", connectionId] as const,
  pairing: (connectionId: number) => ["connection-pairing", connectionId] as const,
  contacts: ["contacts"] as const,
  quickAnswers: ["quick-answers"] as const,
  users: ["users"] as const,
  settings: ["settings"] as const,
  window: (ticketId: number) => ["service-window", ticketId] as const,
  templates: (connectionId: number) => ["templates", connectionId] as const,
  cloudAccount: (connectionId: number) => ["cloud-account", connectionId] as const,
  apiTokens: ["api-tokens"] as const,
  webhooks: ["webhook-endpoints"] as const,
  deliveries: (endpointId: number) => ["webhook-deliveries", endpointId] as const,
  deadLetters: ["dead-letters"] as const,
  scheduled: ["scheduled-messages"] as const,
  reports: ["reports"] as const,
  waitingNow: ["reports", "now"] as const,
};

export function useMeta() {
  return useQuery({
    queryKey: keys.meta,
    queryFn: () =>
      meta.get().catch((error: unknown) => {
        // An older server without /api/meta: no simulator link, nothing else changes.
        if (error instanceof ApiError && error.status === 404) {
          return { version: "", environment: "", simulator_url: null };
        }
        throw error;
      }),
    staleTime: Infinity,
  });
}

export function useQueues() {
  return useQuery({ queryKey: keys.queues, queryFn: queues.list, staleTime: 60_000 });
}

export function useTags() {
  return useQuery({ queryKey: keys.tags, queryFn: tags.list, staleTime: 60_000 });
}

export function useConnections() {
  return useQuery({ queryKey: keys.connections, queryFn: connections.list, staleTime: 30_000 });
}

export function useDirectory() {
  return useQuery({ queryKey: keys.directory, queryFn: users.directory, staleTime: 60_000 });
}
