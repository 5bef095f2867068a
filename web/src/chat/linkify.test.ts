import { describe, expect, it } from "vitest";
import { linkify } from "./linkify";

describe("linkify", () => {
  it("turns URLs into links and keeps the rest as text", () => {
    expect(linkify("veja https://example.com/a?b=1. ok")).toEqual([
      { kind: "text", text: "veja " },
      { kind: "link", text: "https://example.com/a?b=1", href: "https://example.com/a?b=1" },
      { kind: "text", text: ". ok" },
    ]);
  });

  it("adds https to www. links", () => {
    expect(linkify("www.zapdesk.dev")).toEqual([{ kind: "link", text: "www.zapdesk.dev", href: "https://www.zapdesk.dev" }]);
  });

  it("keeps markup as plain text", () => {
    expect(linkify("<img src=x onerror=alert(1)>")).toEqual([{ kind: "text", text: "<img src=x onerror=alert(1)>" }]);
  });

  it("never links javascript: URLs", () => {
    expect(linkify("javascript:alert(1)").every((s) => s.kind === "text")).toBe(true);
  });
});
