// Events in position order, each once: live ones from the socket, and after every (re)connect the ones missed
// while it was down, fetched from GET /api/events after the last position applied. While that catch-up is in
// flight, live events wait; then each is applied only if it comes after what was already applied. When the
// server says "resync" (too far behind, or no position yet), everything on screen is reloaded instead.
import type { CatchUp, ServerEvent } from "../api/types";

export interface StreamSinks {
  apply: (event: ServerEvent) => void;
  /** Refetch what is on screen; the catch-up ends when it is done. */
  reload: () => Promise<void> | void;
  fetchAfter: (after: number | null) => Promise<CatchUp>;
  /** Told the position after each change, for whoever shows or tests it. */
  moved?: (position: number | null) => void;
}

export class EventStream {
  private position: number | null = null;
  private catchingUp = 0;
  private held: ServerEvent[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly sinks: StreamSinks) {}

  get lastPosition(): number | null {
    return this.position;
  }

  /** A live event from the socket. */
  receive(event: ServerEvent): void {
    if (this.catchingUp > 0) this.held.push(event);
    else this.applyIfNew(event);
  }

  /** On every (re)connect: catch up from the last position applied (one catch-up at a time, in call order). */
  resume(): Promise<void> {
    this.catchingUp += 1;
    this.queue = this.queue.then(() => this.catchUp());
    return this.queue;
  }

  private async catchUp(): Promise<void> {
    try {
      const answer = await this.sinks.fetchAfter(this.position);
      if (answer.resync) {
        this.moveTo(answer.position);
        await this.sinks.reload();
      } else {
        for (const event of answer.events) this.applyIfNew(event);
        if (this.position === null || answer.position > this.position) this.moveTo(answer.position);
      }
    } catch {
      // Where we are is unknown: reload, and take the server's position at the next connect.
      this.moveTo(null);
      await Promise.resolve(this.sinks.reload()).catch(() => undefined);
    } finally {
      this.catchingUp -= 1;
      if (this.catchingUp === 0) {
        const held = this.held.sort((a, b) => a.seq - b.seq);
        this.held = [];
        for (const event of held) this.applyIfNew(event);
      }
    }
  }

  private applyIfNew(event: ServerEvent): void {
    if (this.position !== null && event.seq <= this.position) return;
    this.moveTo(event.seq);
    this.sinks.apply(event);
  }

  private moveTo(position: number | null): void {
    this.position = position;
    this.sinks.moved?.(position);
  }
}
