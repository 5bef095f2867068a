import { QueryClient, type InfiniteData } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import type { Connection, Page, Ticket } from "../api/types";
import { EventReplay } from "./replay";
import { ticket } from "./fixtures";

describe("events received during a refetch", () => {
  it("are applied again over the refetch's older answer", async () => {
    const client = new QueryClient();
    const replay = new EventReplay(client, () => ({ id: 1, role: "admin", queue_ids: [] }));
    client.getQueryCache().subscribe(replay.onCacheEvent);
    const key = ["tickets", { status: "pending" }];
    let answer: (page: Page<Ticket>) => void = () => undefined;
    const fetching = client.fetchInfiniteQuery({
      queryKey: key,
      queryFn: () => new Promise<Page<Ticket>>((resolve) => (answer = resolve)),
      initialPageParam: null,
      getNextPageParam: () => null,
    });
    await Promise.resolve();

    // The server created ticket 2 after it answered the list request; its event overtakes the answer.
    replay.ticket(ticket(2, "2026-01-01T11:00:00Z"));
    answer({ items: [ticket(1, "2026-01-01T10:00:00Z")], next_cursor: null });
    await fetching;

    const data = client.getQueryData<InfiniteData<Page<Ticket>>>(key);
    expect(data?.pages[0]?.items.map((item) => item.id)).toEqual([2, 1]);
  });

  it("leave answers alone when nothing arrived meanwhile", async () => {
    const client = new QueryClient();
    const replay = new EventReplay(client, () => ({ id: 1, role: "admin", queue_ids: [] }));
    replay.ticket(ticket(3, "2026-01-01T09:00:00Z")); // before the fetch: the answer already reflects it
    client.getQueryCache().subscribe(replay.onCacheEvent);
    const key = ["tickets", { status: "closed" }];
    await client.fetchInfiniteQuery({
      queryKey: key,
      queryFn: async (): Promise<Page<Ticket>> => ({ items: [], next_cursor: null }),
      initialPageParam: null,
      getNextPageParam: () => null,
    });
    const data = client.getQueryData<InfiniteData<Page<Ticket>>>(key);
    expect(data?.pages[0]?.items).toEqual([]);
  });

  it("keep a connection's pushed update over a list read before it", async () => {
    // "Desconectar" refetched the list; the worker stored the logout after the server read it.
    const statuses = await connectionsAfter(connection("STOPPED", "2026-01-01T10:00:02.5Z"), [
      connection("CONNECTED", "2026-01-01T10:00:02Z"),
    ]);
    expect(statuses).toEqual(["STOPPED"]);
  });

  it("take a connection's newer state from the answer over an older update received meanwhile", async () => {
    const statuses = await connectionsAfter(connection("STARTING", "2026-01-01T10:00:01Z"), [
      connection("QR", "2026-01-01T10:00:03Z"),
    ]);
    expect(statuses).toEqual(["QR"]);
  });
});

const connection = (status: Connection["status"], updated_at: string) => ({ id: 1, status, updated_at }) as Connection;

/** The connection list's statuses after `pushed` arrived while a fetch of the list was answering `answer`. */
async function connectionsAfter(pushed: Connection, answer: Connection[]): Promise<string[] | undefined> {
  const client = new QueryClient();
  const replay = new EventReplay(client, () => ({ id: 1, role: "admin", queue_ids: [] }));
  client.getQueryCache().subscribe(replay.onCacheEvent);
  let respond: (list: Connection[]) => void = () => undefined;
  const fetching = client.fetchQuery({
    queryKey: ["connections"],
    queryFn: () => new Promise<Connection[]>((resolve) => (respond = resolve)),
  });
  await Promise.resolve();
  replay.connection(pushed);
  respond(answer);
  await fetching;
  return client.getQueryData<Connection[]>(["connections"])?.map((item) => item.status);
}
