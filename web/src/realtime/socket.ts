// The one Socket.IO connection: a fresh access token on every (re)connect, a refresh when it is refused.
import { io, type Socket } from "socket.io-client";
import type { ServerEvent, UserPresence } from "../api/types";
import { session } from "../auth/session";

// Every domain event arrives as "event": `{seq, name, payload}`, typed by its name. Presence, no database change,
// comes apart as "presence"; the tab says "presence" `{away}` when it turns away or back.
type Listeners = { event: (event: ServerEvent) => void; presence: (change: UserPresence) => void };
type Emits = { presence: (state: { away: boolean }) => void };
export type AppSocket = Socket<Listeners, Emits>;

const AUTH_CODES = new Set(["unauthorized", "token_expired", "invalid_token", "expired"]);

export function openSocket(): AppSocket {
  const socket: AppSocket = io({
    path: "/socket.io",
    transports: ["websocket", "polling"],
    auth: (send) => {
      void session.accessToken().then((token) => send({ token }));
    },
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10_000,
  });
  let refused = 0;
  socket.on("connect", () => {
    refused = 0;
  });
  socket.on("connect_error", (error: Error & { data?: { code?: string } }) => {
    if (socket.active) return; // a network failure: socket.io retries by itself
    // The server refused the handshake: socket.io will not retry, so we do, with a fresh token if that was it.
    refused += 1;
    const code = error.data?.code ?? "";
    const retry = () => window.setTimeout(() => socket.connect(), Math.min(30_000, 1000 * 2 ** refused));
    if (AUTH_CODES.has(code) || code.includes("token")) void session.refresh().then((token) => token && retry());
    else retry();
  });
  return socket;
}
