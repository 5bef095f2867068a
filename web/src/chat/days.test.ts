import { describe, expect, it } from "vitest";
import type { Message } from "../api/types";
import { dayLabel, withDaySeparators } from "./days";
import { timeline } from "./history";

const at = (id: number, created_at: string) => ({ id, created_at, client_id: null }) as Message;

describe("day separators", () => {
  it("puts one separator before each new day", () => {
    const messages = [at(1, "2026-03-01T10:00:00"), at(2, "2026-03-01T11:00:00"), at(3, "2026-03-02T09:00:00")];
    const items = withDaySeparators(timeline(messages, [], true));
    expect(items.map((item) => item.kind)).toEqual(["day", "message", "message", "day", "message"]);
  });

  it("names today and yesterday", () => {
    const now = new Date("2026-03-02T12:00:00");
    expect(dayLabel(new Date("2026-03-02T01:00:00"), now)).toBe("today");
    expect(dayLabel(new Date("2026-03-01T23:00:00"), now)).toBe("yesterday");
    expect(dayLabel(new Date("2026-02-20T23:00:00"), now)).toBeNull();
  });
});
