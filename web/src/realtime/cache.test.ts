import { describe, expect, it } from "vitest";
import type { Connection, Message, Ticket } from "../api/types";
import {
  applyTicket,
  canSee,
  chatMessages,
  chronological,
  withoutUnsentCopy,
  keepUnsent,
  placeTicket,
  ticketMatches,
  upsertMessage,
  withConnection,
  type Pages,
  type Viewer,
} from "./cache";
import { message, ticket } from "./fixtures";

const agent = (id: number, queue_ids: number[] = []): Viewer => ({ id, role: "agent", queue_ids });

const list = (...pages: [Ticket[], string | null][]): Pages<Ticket> => ({
  pages: pages.map(([items, next_cursor]) => ({ items, next_cursor })),
  pageParams: pages.map((_, i) => (i === 0 ? null : `c${i}`)),
});

const ids = (data: Pages<Ticket>) => data.pages.flatMap((p) => p.items.map((t) => t.id));

describe("ticket lists", () => {
  it("puts a new ticket first and never twice", () => {
    const data = list([[ticket(1, "2026-01-01T10:00:00Z")], null]);
    const once = placeTicket(data, ticket(2, "2026-01-01T11:00:00Z"));
    const twice = placeTicket(once, ticket(2, "2026-01-01T11:00:00Z"));
    expect(ids(twice)).toEqual([2, 1]);
  });

  it("moves a ticket that left the tab's filter out of it", () => {
    const data = list([[ticket(1, "2026-01-01T10:00:00Z")], null]);
    const accepted = ticket(1, "2026-01-01T10:00:00Z", { status: "open", assignee_id: 7 });
    expect(ids(applyTicket(data, accepted, { status: "pending" }, agent(7)))).toEqual([]);
    const mine = list([[], null]);
    expect(ids(applyTicket(mine, accepted, { status: "open", assignee: "me" }, agent(7)))).toEqual([1]);
    expect(ids(applyTicket(mine, accepted, { status: "open", assignee: "me" }, agent(8)))).toEqual([]);
  });

  it("drops a ticket transferred to a queue the agent is not in", () => {
    const data = list([[ticket(1, "2026-01-01T10:00:00Z", { queue_id: 1 })], null]);
    const moved = ticket(1, "2026-01-01T10:00:00Z", { queue_id: 2 });
    expect(ids(applyTicket(data, moved, { status: "pending" }, agent(7, [1])))).toEqual([]);
    expect(ids(applyTicket(data, moved, { status: "pending" }, { id: 9, role: "admin", queue_ids: [] }))).toEqual([1]);
  });

  it("lets agents see their own tickets and unqueued pending ones only", () => {
    expect(canSee(ticket(1, "x", { queue_id: null }), agent(7))).toBe(true);
    expect(canSee(ticket(1, "x", { queue_id: null, status: "open", assignee_id: 8 }), agent(7))).toBe(false);
    expect(canSee(ticket(1, "x", { queue_id: 3, status: "open", assignee_id: 7 }), agent(7))).toBe(true);
  });

  it("orders by time when one timestamp has a fraction of a second and the other has none", () => {
    const data = list([[ticket(1, "2026-01-01T10:00:05.000001Z")], null]);
    expect(ids(placeTicket(data, ticket(9, "2026-01-01T10:00:05Z")))).toEqual([1, 9]);
    expect(ids(placeTicket(data, ticket(9, "2026-01-01T10:00:05.1Z")))).toEqual([9, 1]);
    expect(ids(placeTicket(data, ticket(0, "2026-01-01T10:00:05.000001Z")))).toEqual([1, 0]);
  });

  it("does not append past pages that are not loaded yet", () => {
    const data = list([[ticket(1, "2026-01-01T10:00:00Z")], "more"]);
    expect(ids(placeTicket(data, ticket(2, "2025-01-01T10:00:00Z")))).toEqual([1]);
  });

  it("leaves text searches to the server unless the ticket is already shown", () => {
    const t = ticket(3, "2026-01-01T10:00:00Z");
    expect(ticketMatches(t, { search: "ana" }, agent(1))).toBe("unknown");
    expect(ids(applyTicket(list([[], null]), t, { search: "ana" }, agent(1)))).toEqual([]);
  });
});

describe("chat messages", () => {
  const chat = (...pages: Message[][]): Pages<Message> => ({
    pages: pages.map((items) => ({ items, next_cursor: null })),
    pageParams: pages.map(() => null),
  });

  it("replaces a stored message by id and appends a new one", () => {
    const read = message(2, { status: "read", updated_at: "2026-01-01T10:00:01Z" });
    const data = upsertMessage(upsertMessage(chat([message(1), message(2)]), read), message(3));
    expect(chronological(data).map((m) => [m.id, m.status])).toEqual([
      [1, "sent"],
      [2, "read"],
      [3, "sent"],
    ]);
  });

  it("keeps one copy when the event and the POST answer both arrive", () => {
    const stored = message(10, { client_id: "abc", updated_at: "2026-01-01T10:00:01Z", status: "delivered" });
    const stale = message(10, { client_id: "abc", updated_at: "2026-01-01T10:00:00Z", status: "sent" });
    const data = upsertMessage(upsertMessage(chat([]), stored), stale);
    expect(chronological(data).map((m) => m.status)).toEqual(["delivered"]);
  });

  it("keeps the newer copy when only the older one's time has a fraction of a second", () => {
    const stored = message(10, { updated_at: "2026-01-01T10:00:00.5Z", status: "read" });
    const stale = message(10, { updated_at: "2026-01-01T10:00:00Z", status: "delivered" });
    expect(chronological(upsertMessage(upsertMessage(chat([]), stored), stale)).map((m) => m.status)).toEqual(["read"]);
  });

  it("keeps messages the server has not stored in the order sent, a resend in its failed copy's place", () => {
    const first = message(-1, { client_id: "a", status: "pending" });
    const second = message(-2, { client_id: "b", status: "pending" });
    let unsent = keepUnsent(keepUnsent(undefined, first), second);
    unsent = keepUnsent(unsent, { ...first, status: "failed", error: "Este tipo de arquivo não pode ser enviado." });
    unsent = keepUnsent(unsent, { ...first, status: "pending", error: null });
    expect(unsent.map((m) => [m.client_id, m.status])).toEqual([
      ["a", "pending"],
      ["b", "pending"],
    ]);
  });

  it("lets an unsent message go once its stored copy arrives", () => {
    const unsent = [message(-1, { client_id: "a", status: "pending" }), message(-2, { client_id: "b", status: "failed" })];
    expect(withoutUnsentCopy(unsent, message(10, { client_id: "a" })).map((m) => m.client_id)).toEqual(["b"]);
    expect(withoutUnsentCopy(unsent, message(11))).toEqual(unsent); // the customer's, or another agent's
  });

  it("shows unsent messages after the stored ones, unless a refetch already brought their stored copy", () => {
    const stored = [message(1), message(10, { client_id: "a" })];
    const unsent = [message(-1, { client_id: "a", status: "failed" }), message(-2, { client_id: "b", status: "failed" })];
    expect(chatMessages(chat(stored), unsent).map((m) => m.id)).toEqual([1, 10, -2]);
    expect(chatMessages(undefined, unsent).map((m) => m.id)).toEqual([-1, -2]);
    expect(chatMessages(chat(stored), undefined)).toEqual(stored);
  });

  it("orders older pages before newer ones", () => {
    expect(chronological(chat([message(3), message(4)], [message(1), message(2)])).map((m) => m.id)).toEqual([
      1, 2, 3, 4,
    ]);
  });
});

describe("a list filtered by a tag", () => {
  it("holds exactly the visible tickets that carry the tag", () => {
    const viewer = { id: 1, role: "admin" as const, queue_ids: [] };
    expect(ticketMatches(ticket(1, "2026-01-01T00:00:00Z", { tag_ids: [3] }), { tag: 3 }, viewer)).toBe(true);
    expect(ticketMatches(ticket(2, "2026-01-01T00:00:00Z", { tag_ids: [4] }), { tag: 3 }, viewer)).toBe(false);
  });
});

describe("the connection list", () => {
  const connection = (id: number, status: Connection["status"], updated_at: string) => ({ id, status, updated_at }) as Connection;

  it("keeps the worker's newer status when the answer to Conectar arrives after it", () => {
    const pushed = connection(1, "QR", "2026-01-01T10:00:01.500Z");
    const answer = connection(1, "STARTING", "2026-01-01T10:00:01.200Z");
    expect(withConnection([pushed], answer).map((item) => item.status)).toEqual(["QR"]);
  });

  it("takes a newer copy and adds a connection it did not hold", () => {
    const list = withConnection([connection(1, "STARTING", "2026-01-01T10:00:01Z")], connection(1, "QR", "2026-01-01T10:00:02Z"));
    expect(withConnection(list, connection(2, "STOPPED", "2026-01-01T10:00:00Z")).map((item) => [item.id, item.status])).toEqual([
      [1, "QR"],
      [2, "STOPPED"],
    ]);
  });
});
