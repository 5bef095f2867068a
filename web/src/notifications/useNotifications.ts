import { useQuery, type QueryClient } from "@tanstack/react-query";
import { notifications } from "../api/endpoints";
import { keys } from "../api/queries";
import type { AppNotification } from "../api/types";

export function useNotifications() {
  return useQuery({ queryKey: keys.notifications, queryFn: async () => (await notifications.list()).items, staleTime: Infinity });
}

/** How many notifications are unread: shown on the bell, and on the phone's menu button while the bell is folded. */
export function useUnreadCount(): number {
  return (useNotifications().data ?? []).filter((item) => !item.read_at).length;
}

/** A new notification, first in the list (once). */
export function addNotification(client: QueryClient, notification: AppNotification): void {
  client.setQueryData<AppNotification[]>(keys.notifications, (list) =>
    list && !list.some((item) => item.id === notification.id) ? [notification, ...list] : list,
  );
}

/** These notifications were read (here or in another tab). */
export function markNotificationsRead(client: QueryClient, ids: number[], at: string = new Date().toISOString()): void {
  client.setQueryData<AppNotification[]>(keys.notifications, (list) =>
    list?.map((item) => (ids.includes(item.id) && !item.read_at ? { ...item, read_at: at } : item)),
  );
}
