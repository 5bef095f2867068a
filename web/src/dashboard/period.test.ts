import { describe, expect, it } from "vitest";
import { formatDay, formatDuration, formatNumber, periodFor } from "./period";

describe("the dashboard's period", () => {
  const custom = { start: "2026-01-01", end: "2026-01-31" };

  it("covers whole days ending today", () => {
    expect(periodFor("today", "2026-12-03", custom)).toEqual({ start: "2026-12-03", end: "2026-12-03" });
    expect(periodFor("7d", "2026-12-03", custom)).toEqual({ start: "2026-11-27", end: "2026-12-03" });
    expect(periodFor("30d", "2026-03-01", custom)).toEqual({ start: "2026-01-31", end: "2026-03-01" });
    expect(periodFor("custom", "2026-12-03", custom)).toBe(custom);
  });
});

describe("how figures read", () => {
  it("words durations in seconds, minutes and hours", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(45)).toBe("45 s");
    expect(formatDuration(330)).toBe("5 min 30 s");
    expect(formatDuration(8400)).toBe("2 h 20 min");
  });

  it("writes numbers and days the Brazilian way in Portuguese", () => {
    expect(formatNumber("pt-BR", 1234.5, 1)).toBe("1.234,5");
    expect(formatNumber("en", 1234.5, 1)).toBe("1,234.5");
    expect(formatDay("pt-BR", "2026-12-01")).toBe("01/12");
    expect(formatDay("en", "2026-12-01")).toBe("12/01");
  });
});
