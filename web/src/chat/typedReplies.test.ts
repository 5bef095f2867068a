import { describe, expect, it } from "vitest";
import { memoryStorage } from "../auth/session";
import { keepTypedReply, typedReply } from "./typedReplies";

describe("what an agent typed and has not sent", () => {
  it("is kept per chat, a note as a note", () => {
    const storage = memoryStorage();
    keepTypedReply(1, 10, { text: "Seu pedido saiu", note: false }, storage);
    keepTypedReply(1, 11, { text: "@Ana cliente difícil", note: true }, storage);
    expect(typedReply(1, 10, storage)).toEqual({ text: "Seu pedido saiu", note: false });
    expect(typedReply(1, 11, storage)).toEqual({ text: "@Ana cliente difícil", note: true });
    expect(typedReply(1, 12, storage)).toEqual({ text: "", note: false });
  });

  it("is forgotten once empty (sent, or erased)", () => {
    const storage = memoryStorage();
    keepTypedReply(1, 10, { text: "Olá", note: false }, storage);
    keepTypedReply(1, 10, { text: "  ", note: false }, storage);
    expect(typedReply(1, 10, storage)).toEqual({ text: "", note: false });
    expect(storage.getItem("zapdesk.typed.1")).toBe("{}");
  });

  it("belongs to the person who typed it", () => {
    const storage = memoryStorage();
    keepTypedReply(1, 10, { text: "Só meu", note: false }, storage);
    expect(typedReply(2, 10, storage).text).toBe("");
  });

  it("starts afresh from something unreadable, and survives a storage that refuses writes", () => {
    const storage = memoryStorage();
    storage.setItem("zapdesk.typed.1", "{not json");
    expect(typedReply(1, 10, storage).text).toBe("");
    const full = { ...storage, setItem: () => { throw new Error("QuotaExceededError"); } };
    expect(() => keepTypedReply(1, 10, { text: "Olá", note: false }, full)).not.toThrow();
  });
});
