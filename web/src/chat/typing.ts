// "digitando…" on the customer's phone: said at most once every TYPING_EVERY_MS while the agent types, and
// unsaid PAUSE_AFTER_MS after the last key (or at once when the draft is sent or emptied).
import { useEffect, useMemo } from "react";
import { messages } from "../api/endpoints";

export const TYPING_EVERY_MS = 4000;
export const PAUSE_AFTER_MS = 5000;

export class TypingSignal {
  private typing = false;
  private lastSaid = Number.NEGATIVE_INFINITY;
  private pause: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly say: (typing: boolean) => void,
    private readonly now: () => number = () => Date.now(),
  ) {}

  typed(): void {
    const now = this.now();
    if (!this.typing || now - this.lastSaid >= TYPING_EVERY_MS) {
      this.say(true);
      this.lastSaid = now;
      this.typing = true;
    }
    if (this.pause !== null) clearTimeout(this.pause);
    this.pause = setTimeout(() => this.stopped(), PAUSE_AFTER_MS);
  }

  stopped(): void {
    if (this.pause !== null) clearTimeout(this.pause);
    this.pause = null;
    if (!this.typing) return;
    this.typing = false;
    this.say(false);
  }
}

/** The ticket's typing signal; leaving the ticket stops it. */
export function useTypingSignal(ticketId: number): TypingSignal {
  const signal = useMemo(
    () => new TypingSignal((typing) => void messages.typing(ticketId, typing).catch(() => undefined)),
    [ticketId],
  );
  useEffect(() => () => signal.stopped(), [signal]);
  return signal;
}
