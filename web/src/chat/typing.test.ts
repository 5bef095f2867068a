import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PAUSE_AFTER_MS, TYPING_EVERY_MS, TypingSignal } from "./typing";

describe("TypingSignal", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("says typing once per interval however fast the keys come, and stops after a pause", () => {
    const said: boolean[] = [];
    const signal = new TypingSignal((typing) => said.push(typing), () => Date.now());
    for (let key = 0; key < 10; key += 1) {
      signal.typed();
      vi.advanceTimersByTime(300);
    }
    expect(said).toEqual([true]);
    vi.advanceTimersByTime(TYPING_EVERY_MS);
    signal.typed();
    expect(said).toEqual([true, true]);
    vi.advanceTimersByTime(PAUSE_AFTER_MS);
    expect(said).toEqual([true, true, false]);
  });

  it("stops at once when the draft is sent, and only once", () => {
    const said: boolean[] = [];
    const signal = new TypingSignal((typing) => said.push(typing));
    signal.typed();
    signal.stopped();
    signal.stopped();
    vi.advanceTimersByTime(PAUSE_AFTER_MS);
    expect(said).toEqual([true, false]);
  });
});
