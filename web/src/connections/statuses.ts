import type { ConnectionStatus } from "../api/types";
import type { MessageKey } from "../i18n/translate";

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

/** What an administrator can do about a status, said under the connection's card. */
export const STATUS_HINTS: Partial<Record<ConnectionStatus, MessageKey>> = {
  STOPPED: "statusHint.STOPPED",
  RECONNECTING: "statusHint.RECONNECTING",
  QR_EXPIRED: "statusHint.QR_EXPIRED",
  LOGGED_OUT: "statusHint.LOGGED_OUT",
  REPLACED: "statusHint.REPLACED",
  BANNED: "statusHint.BANNED",
  OUTDATED: "statusHint.OUTDATED",
  FAILED: "statusHint.FAILED",
};
