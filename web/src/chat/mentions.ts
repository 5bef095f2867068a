// "@" in an internal note: which people the text after it may name, and putting the chosen name in.
interface Person {
  id: number;
  name: string;
}

const MENTION = /(?:^|\s)@([\p{L}\p{N}]*)$/u;

function folded(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/** The name being typed after a trailing "@" ("" right after it), or null when the text does not end in one. */
export function mentionQuery(text: string): string | null {
  const match = MENTION.exec(text);
  return match ? (match[1] ?? "") : null;
}

/** People whose name (or any word of it) starts with `query`, accents and case aside; at most six. */
export function matchPeople<T extends Person>(people: T[], query: string): T[] {
  const wanted = folded(query);
  return people.filter((person) => folded(person.name).split(/\s+/).some((word) => word.startsWith(wanted))).slice(0, 6);
}

/** `text` with its trailing "@partial" replaced by "@Full Name ". */
export function withMention(text: string, name: string): string {
  return text.replace(/@[\p{L}\p{N}]*$/u, `@${name} `);
}
