import { describe, expect, it } from "vitest";
import { matchQuickAnswers, shortcutQuery } from "./quickAnswerMatch";

describe("quick answers", () => {
  it("opens only while the draft is a single /word", () => {
    expect(shortcutQuery("/")).toBe("");
    expect(shortcutQuery("/Ola")).toBe("ola");
    expect(shortcutQuery("/ola mundo")).toBeNull();
    expect(shortcutQuery("ola")).toBeNull();
  });

  it("ranks shortcuts that start with the query first", () => {
    const answers = [
      { id: 1, shortcut: "pix", text: "Nossa chave", media_name: null, media_type: null, owner_id: null, queue_ids: [], created_at: "2026-01-01T10:00:00Z" },
      { id: 2, shortcut: "horario", text: "Abrimos às 8h", media_name: null, media_type: null, owner_id: null, queue_ids: [], created_at: "2026-01-01T10:00:00Z" },
      { id: 3, shortcut: "ho", text: "Olá!", media_name: null, media_type: null, owner_id: null, queue_ids: [], created_at: "2026-01-01T10:00:00Z" },
    ];
    expect(matchQuickAnswers(answers, "ho").map((a) => a.id)).toEqual([2, 3]);
    expect(matchQuickAnswers(answers, "chave").map((a) => a.id)).toEqual([1]);
  });
});
