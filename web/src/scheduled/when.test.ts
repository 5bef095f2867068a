import { describe, expect, it } from "vitest";
import { localInputValue, sendAtFromInput } from "./when";

describe("a scheduled time", () => {
  it("goes to the API as the instant the local wall clock means", () => {
    const local = new Date(2026, 11, 24, 9, 30, 15);

    expect(localInputValue(local)).toBe("2026-12-24T09:30:15");
    expect(sendAtFromInput(localInputValue(local))).toBe(local.toISOString());
  });

  it("that is no date is passed on as typed, for the API to refuse", () => {
    expect(sendAtFromInput("")).toBe("");
  });
});
