import type { ConnectionStatus } from "../api/types";

export type Tone = "ok" | "wait" | "off" | "bad";

export const STATUS_TONE: Record<ConnectionStatus, Tone> = {
  STOPPED: "off",
  STARTING: "wait",
  QR: "wait",
  CONNECTED: "ok",
  RECONNECTING: "wait",
  QR_EXPIRED: "off",
  LOGGED_OUT: "off",
  REPLACED: "bad",
  BANNED: "bad",
  OUTDATED: "bad",
  FAILED: "bad",
};

/** States where the session runs or tries to: "Desconectar" applies; the others offer "Conectar". */
export function isRunning(status: ConnectionStatus): boolean {
  return status === "STARTING" || status === "QR" || status === "CONNECTED" || status === "RECONNECTING";
}
