import { describe, expect, it } from "vitest";
import { filtersFor, tabOf } from "./tabs";

describe("ticket tabs", () => {
  it("combine a tab with the search box and the pickers, leaving empty parts out", () => {
    expect(filtersFor("open", { search: "  ana ", queueId: 2 })).toEqual({
      status: "open",
      assignee: "me",
      queue_id: 2,
      search: "ana",
    });
    expect(filtersFor("pending", { search: "   " })).toEqual({ status: "pending" });
    expect(filtersFor("all", { connectionId: 5 })).toEqual({ connection_id: 5 });
  });

  it("say where a ticket shows for me after an action", () => {
    expect(tabOf("open", 7, 7)).toBe("open");
    expect(tabOf("open", 8, 7)).toBe("all");
    expect(tabOf("pending", null, 7)).toBe("pending");
    expect(tabOf("closed", 7, 7)).toBe("closed");
  });
});
