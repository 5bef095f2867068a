// A ticket's history as the chat shows it between the messages: "escolheu a fila Suporte", "fora do horário",
// "encerrado por inatividade", "avaliação: 4". Lines that say nothing a person needs there are left out.
import type { TicketHistoryLine } from "../api/types";
import type { MessageKey, Vars } from "../i18n/translate";

type Translate = (key: MessageKey, vars?: Vars) => string;

export function systemLineText(line: TicketHistoryLine, t: Translate): string | null {
  const who = line.actor.user?.name ?? "";
  const queue = line.to_queue?.name ?? t("tickets.noQueue");
  switch (line.kind) {
    case "queue_chosen":
      return line.actor.kind === "customer" ? t("history.queueChosen", { queue }) : t("history.queueFallback", { queue });
    case "accepted":
      return t("history.accepted", { user: who });
    case "transferred":
      if (line.actor.kind === "timer") return t("history.givenBack", { user: line.from_user?.name ?? "" });
      return t("history.transferred", { target: line.to_user?.name ?? line.to_queue?.name ?? t("tickets.noQueue") });
    case "closed":
      if (line.actor.kind === "timer") return t("history.closedForSilence");
      return who ? t("history.closedBy", { user: who }) : t("history.closed");
    case "reopened":
      return t("history.reopened", { user: who });
    case "out_of_hours_reply":
      return t("history.outOfHours");
    case "reminded":
      return t("history.reminded");
    case "rated":
      return t("history.rated", { score: String(line.detail.score ?? "") });
    default:
      return null;
  }
}
