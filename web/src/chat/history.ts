// A ticket's history as the chat shows it: one sentence per line, placed among the messages by time.
import type { Message, TicketEvent } from "../api/types";
import type { MessageKey, Vars } from "../i18n/translate";

type Translate = (key: MessageKey, vars?: Vars) => string;

function actorName(event: TicketEvent, t: Translate): string {
  const { actor } = event;
  switch (actor.kind) {
    case "user":
      return actor.user ? actor.user.name : t("history.actor.removedUser");
    case "customer":
      return t("history.actor.customer");
    case "bot":
      return t("history.actor.bot");
    case "timer":
      return t("history.actor.timer");
  }
}

function transferChange(event: TicketEvent, t: Translate): string {
  const parts: string[] = [];
  // Only what moved is named: both sides null means it stayed as it was.
  if (event.from_user || event.to_user) {
    const name = (ref: TicketEvent["to_user"]) => ref?.name ?? t("history.nobody");
    parts.push(t("history.userChange", { from: name(event.from_user), to: name(event.to_user) }));
  }
  if (event.from_queue || event.to_queue) {
    const name = (ref: TicketEvent["to_queue"]) => ref?.name ?? t("history.noQueue");
    parts.push(t("history.queueChange", { from: name(event.from_queue), to: name(event.to_queue) }));
  }
  return parts.join(", ");
}

function opening(event: TicketEvent, t: Translate): string {
  const { actor } = event;
  if (actor.kind === "customer") return t("history.createdByCustomer");
  if (actor.kind !== "user") return t("history.createdByBot");
  // A person on our side with no account: someone wrote first on the business phone itself.
  return actor.user ? t("history.created", { actor: actor.user.name }) : t("history.createdOnPhone");
}

/** The sentence for one line of a ticket's history, in the person's language. */
export function historyLine(event: TicketEvent, t: Translate): string {
  const sentence = describe(event, t);
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

function describe(event: TicketEvent, t: Translate): string {
  const actor = actorName(event, t);
  switch (event.kind) {
    case "created":
      return opening(event, t);
    case "queue_chosen": {
      const queue = event.to_queue?.name ?? t("history.noQueue");
      // Not by the customer: the menu gave up asking and used the fallback queue.
      return event.actor.kind === "customer" ? t("history.queueChosen", { queue }) : t("history.queueFallback", { queue });
    }
    case "accepted":
      return t("history.accepted", { actor });
    case "transferred":
      // A timer gives a ticket back to its queue when the agent did not answer in time.
      if (event.actor.kind === "timer") return t("history.givenBack", { user: event.from_user?.name ?? t("history.nobody") });
      return t("history.transferred", { actor, change: transferChange(event, t) });
    case "closed":
      if (event.actor.kind === "timer") return t("history.closedByTimer");
      if (event.actor.kind === "bot") return t("history.closedByBot");
      return t("history.closed", { actor });
    case "reopened":
      return t("history.reopened", { actor });
    case "out_of_hours_reply":
      return t("history.outOfHours");
    case "reminded":
      return t("history.reminded");
    case "rated":
      return t("history.rated", { score: String(event.detail.score ?? "") });
    default:
      return t("history.other", { actor, kind: String(event.kind) });
  }
}

export type Timeline = ({ kind: "message"; at: string; message: Message } | { kind: "event"; at: string; event: TicketEvent })[];

/** Messages and history lines in time order (a line goes before the first message written after it). Lines
 * older than the oldest loaded message wait until that part of the conversation is loaded (`complete`). */
export function timeline(messages: Message[], events: TicketEvent[], complete: boolean): Timeline {
  const oldest = messages[0]?.created_at;
  const shown = events
    .filter((event) => complete || (oldest !== undefined && event.at >= oldest))
    .sort((a, b) => (a.at === b.at ? a.id - b.id : a.at < b.at ? -1 : 1));
  const items: Timeline = [];
  let next = 0;
  for (const message of messages) {
    while (next < shown.length && new Date(shown[next]!.at) <= new Date(message.created_at)) {
      const event = shown[next++]!;
      items.push({ kind: "event", at: event.at, event });
    }
    items.push({ kind: "message", at: message.created_at, message });
  }
  for (const event of shown.slice(next)) items.push({ kind: "event", at: event.at, event });
  return items;
}
