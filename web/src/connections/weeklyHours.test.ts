import { describe, expect, it } from "vitest";
import { intervalsText, parseIntervals } from "./weeklyHours";

describe("a weekday's hours written as text", () => {
  it("read as the intervals people mean, however they separate them", () => {
    expect(parseIntervals("08:00-12:00, 13:30 – 18:00")).toEqual([
      { start: "08:00", end: "12:00" },
      { start: "13:30", end: "18:00" },
    ]);
    expect(parseIntervals("  ")).toEqual([]);
  });

  it("write back as they were read", () => {
    const intervals = [
      { start: "08:00", end: "12:00" },
      { start: "13:30", end: "18:00" },
    ];
    expect(parseIntervals(intervalsText(intervals))).toEqual(intervals);
  });

  it("keep a piece that is no interval, for the API to refuse it by name", () => {
    expect(parseIntervals("8h")).toEqual([{ start: "8h", end: "" }]);
  });
});
