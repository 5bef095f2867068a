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
      { id: 1, shortcut: "pix", text: "Nossa chave" },
      { id: 2, shortcut: "horario", text: "Abrimos às 8h" },
      { id: 3, shortcut: "ho", text: "Olá!" },
    ];
    expect(matchQuickAnswers(answers, "ho").map((a) => a.id)).toEqual([2, 3]);
    expect(matchQuickAnswers(answers, "chave").map((a) => a.id)).toEqual([1]);
  });
});
