import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { keys } from "../api/queries";
import type { Message, Page } from "../api/types";
import { chatMessages, type Pages } from "./cache";
import { message } from "./fixtures";
import { applyMessage } from "./RealtimeProvider";

// What the chat shows, from the cache as `useMessages` reads it.
function shown(client: QueryClient): [number, string][] {
  const pages = client.getQueryData<Pages<Message>>(keys.messages(1));
  return chatMessages(pages, client.getQueryData<Message[]>(keys.unsentMessages(1))).map((m) => [m.id, m.status]);
}

function loadChat(client: QueryClient, items: Message[]): Promise<unknown> {
  return client.fetchInfiniteQuery({
    queryKey: keys.messages(1),
    queryFn: async (): Promise<Page<Message>> => ({ items, next_cursor: null }),
    initialPageParam: null,
    getNextPageParam: () => null,
  });
}

const refused = message(-5, { client_id: "a", status: "failed", error: "Este tipo de arquivo não pode ser enviado." });

describe("a message the agent sent that the server has not stored", () => {
  it("shows once the chat's first page arrives, when it was refused before that", async () => {
    const client = new QueryClient();
    applyMessage(client, { ...refused, status: "pending", error: null });
    applyMessage(client, refused);
    await loadChat(client, [message(1)]);
    expect(shown(client)).toEqual([
      [1, "sent"],
      [-5, "failed"],
    ]);
  });

  it("stays through a refetch of the chat (the event stream reloading after a gap)", async () => {
    const client = new QueryClient();
    await loadChat(client, [message(1)]);
    applyMessage(client, refused);
    await loadChat(client, [message(1), message(2, { from_me: false })]);
    expect(shown(client)).toEqual([
      [1, "sent"],
      [2, "sent"],
      [-5, "failed"],
    ]);
  });

  it("gives way to its stored copy", async () => {
    const client = new QueryClient();
    await loadChat(client, [message(1)]);
    applyMessage(client, { ...refused, status: "pending", error: null });
    applyMessage(client, message(10, { client_id: "a" }));
    expect(shown(client)).toEqual([
      [1, "sent"],
      [10, "sent"],
    ]);
    expect(client.getQueryData(keys.unsentMessages(1))).toEqual([]);
  });
});
