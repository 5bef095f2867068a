import { describe, expect, it } from "vitest";
import { matchPeople, mentionQuery, withMention } from "./mentions";

const people = [
  { id: 1, name: "Bia Souza" },
  { id: 2, name: "Bianca Lima" },
  { id: 3, name: "Caio Ávila" },
];

describe("mentions in a note", () => {
  it("knows when the text ends in a name being typed after @", () => {
    expect(mentionQuery("olá @Bi")).toBe("Bi");
    expect(mentionQuery("@")).toBe("");
    expect(mentionQuery("email@example")).toBeNull();
    expect(mentionQuery("@Bia já viu")).toBeNull();
  });

  it("suggests people by any word of their name, accents aside", () => {
    expect(matchPeople(people, "bia").map((p) => p.id)).toEqual([1, 2]);
    expect(matchPeople(people, "avi").map((p) => p.id)).toEqual([3]);
  });

  it("puts the whole name in place of what was typed", () => {
    expect(withMention("veja @bi", "Bia Souza")).toBe("veja @Bia Souza ");
  });
});
