// Who is at their desk: everyone's presence in the query cache (fetched, then kept live by the socket's
// "presence" event), and this tab telling the server when it is away (hidden, or idle for IDLE_MS).
import { useQuery, type QueryClient } from "@tanstack/react-query";
import { presence } from "../api/endpoints";
import { keys } from "../api/queries";
import type { PresenceState, UserPresence } from "../api/types";

export const IDLE_MS = 5 * 60_000;

type Board = Record<number, PresenceState>;

export function applyPresence(client: QueryClient, change: UserPresence): void {
  client.setQueryData<Board>(keys.presence, (board) => (board ? { ...board, [change.user_id]: change.state } : board));
  // The dashboard's "now" lists who is at their desk, named and within what this user may see: ask again.
  void client.invalidateQueries({ queryKey: keys.waitingNow });
}

/** Everyone's presence; a user missing from the answer is offline. */
export function usePresence(): (userId: number) => PresenceState {
  const board = useQuery({
    queryKey: keys.presence,
    queryFn: async () => Object.fromEntries((await presence.list()).map((item) => [item.user_id, item.state])) as Board,
    staleTime: 30_000,
  });
  return (userId) => board.data?.[userId] ?? "offline";
}

/** Calls `say(away)` whenever this tab turns away (hidden, or no input for `IDLE_MS`) or back; returns a stop. */
export function watchAway(say: (away: boolean) => void, idleMs = IDLE_MS): () => void {
  let away = false;
  let idle: ReturnType<typeof setTimeout> | undefined;
  const update = (next: boolean) => {
    if (next !== away) {
      away = next;
      say(away);
    }
  };
  const active = () => {
    clearTimeout(idle);
    idle = setTimeout(() => update(true), idleMs);
    if (!document.hidden) update(false);
  };
  const visibility = () => (document.hidden ? update(true) : active());
  const inputs = ["pointerdown", "keydown", "mousemove", "wheel", "touchstart"] as const;
  document.addEventListener("visibilitychange", visibility);
  for (const name of inputs) window.addEventListener(name, active, { passive: true });
  active();
  if (document.hidden) update(true);
  return () => {
    clearTimeout(idle);
    document.removeEventListener("visibilitychange", visibility);
    for (const name of inputs) window.removeEventListener(name, active);
  };
}
