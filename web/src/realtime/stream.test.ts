import { describe, expect, it } from "vitest";
import type { CatchUp, ServerEvent } from "../api/types";
import { EventStream } from "./stream";
import { ticket } from "./fixtures";

const updated = (seq: number, id = 1): ServerEvent => ({ seq, name: "ticket.updated", payload: ticket(id, "2026-01-01T10:00:00Z") });

function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

function stream(answers: ((after: number | null) => Promise<CatchUp>)[]) {
  const applied: number[] = [];
  const asked: (number | null)[] = [];
  let reloads = 0;
  const events = new EventStream({
    apply: (event) => applied.push(event.seq),
    reload: () => {
      reloads += 1;
    },
    fetchAfter: (after) => {
      asked.push(after);
      const next = answers.shift();
      if (!next) throw new Error("no more answers");
      return next(after);
    },
  });
  return { events, applied, asked, reloads: () => reloads };
}

describe("the event stream", () => {
  it("reloads on the first connect and takes the server's position", async () => {
    const s = stream([async () => ({ resync: true, position: 40, events: [] })]);
    await s.events.resume();
    s.events.receive(updated(40)); // already reflected in what the reload fetches
    s.events.receive(updated(41));
    expect(s.asked).toEqual([null]);
    expect(s.reloads()).toBe(1);
    expect(s.applied).toEqual([41]);
  });

  it("catches up after a reconnect with what came after the last position, then live events, each once in order", async () => {
    const answer = deferred<CatchUp>();
    const s = stream([async () => ({ resync: true, position: 10, events: [] }), () => answer.promise]);
    await s.events.resume();
    s.events.receive(updated(11));

    const resuming = s.events.resume();
    // Live again before the catch-up answers: these wait, and the ones it contains are not applied twice.
    s.events.receive(updated(14));
    s.events.receive(updated(13));
    answer.resolve({ resync: false, position: 13, events: [updated(12), updated(13)] });
    await resuming;
    s.events.receive(updated(13));
    s.events.receive(updated(15));

    expect(s.asked).toEqual([null, 11]);
    expect(s.applied).toEqual([11, 12, 13, 14, 15]);
    expect(s.reloads()).toBe(1);
    expect(s.events.lastPosition).toBe(15);
  });

  it("reloads when the server says the tab is too far behind", async () => {
    const s = stream([
      async () => ({ resync: true, position: 5, events: [] }),
      async () => ({ resync: true, position: 9000, events: [] }),
    ]);
    await s.events.resume();
    await s.events.resume();
    s.events.receive(updated(8999));
    s.events.receive(updated(9001));
    expect(s.reloads()).toBe(2);
    expect(s.applied).toEqual([9001]);
  });

  it("reloads and starts afresh when the catch-up fails", async () => {
    const s = stream([
      async () => ({ resync: true, position: 5, events: [] }),
      async () => Promise.reject(new Error("offline")),
      async () => ({ resync: true, position: 30, events: [] }),
    ]);
    await s.events.resume();
    await s.events.resume();
    await s.events.resume();
    expect(s.asked).toEqual([null, 5, null]);
    expect(s.reloads()).toBe(3);
  });

  it("runs overlapping catch-ups one after the other", async () => {
    const first = deferred<CatchUp>();
    const s = stream([
      async () => ({ resync: true, position: 1, events: [] }),
      () => first.promise,
      async (after) => ({ resync: false, position: 4, events: after === 3 ? [updated(4)] : [] }),
    ]);
    await s.events.resume();
    const one = s.events.resume();
    const two = s.events.resume();
    first.resolve({ resync: false, position: 3, events: [updated(2), updated(3)] });
    await Promise.all([one, two]);
    expect(s.asked).toEqual([null, 1, 3]);
    expect(s.applied).toEqual([2, 3, 4]);
  });
});
