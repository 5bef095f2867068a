import type { QuickAnswer } from "../api/types";

/** The `/shortcut` being typed: the whole draft is "/word" with no space or newline yet. */
export function shortcutQuery(draft: string): string | null {
  const match = /^\/(\S*)$/.exec(draft);
  return match ? (match[1] ?? "").toLowerCase() : null;
}

/** Answers whose shortcut starts with the query first, then those that merely contain it. */
export function matchQuickAnswers(answers: QuickAnswer[], query: string): QuickAnswer[] {
  const starts = answers.filter((answer) => answer.shortcut.toLowerCase().startsWith(query));
  const contains = answers.filter(
    (answer) => !starts.includes(answer) && (answer.shortcut.toLowerCase().includes(query) || answer.text.toLowerCase().includes(query)),
  );
  return [...starts, ...contains].slice(0, 8);
}
