import { describe, expect, it } from "vitest";
import type { TicketHistoryLine } from "../api/types";
import { translate, type Vars } from "../i18n/translate";
import { systemLineText } from "./systemLines";

const pt = (key: Parameters<typeof translate>[1], vars?: Vars) => translate("pt-BR", key, vars);

function line(kind: TicketHistoryLine["kind"], extra: Partial<TicketHistoryLine> = {}): TicketHistoryLine {
  return {
    id: 1,
    ticket_id: 1,
    kind,
    at: "2026-12-03T12:00:00Z",
    actor: { kind: "bot", user: null },
    message_id: null,
    from_user: null,
    to_user: null,
    from_queue: null,
    to_queue: null,
    detail: {},
    ...extra,
  };
}

describe("the chat's system lines", () => {
  it("say what automation decided, in Portuguese", () => {
    const suporte = { id: 2, name: "Suporte" };
    expect(systemLineText(line("queue_chosen", { actor: { kind: "customer", user: null }, to_queue: suporte }), pt)).toBe(
      "Escolheu a fila Suporte",
    );
    expect(systemLineText(line("out_of_hours_reply"), pt)).toBe("Fora do horário: resposta automática enviada");
    expect(systemLineText(line("closed", { actor: { kind: "timer", user: null } }), pt)).toBe("Encerrado por inatividade");
    expect(systemLineText(line("rated", { actor: { kind: "customer", user: null }, detail: { score: 4 } }), pt)).toBe("Avaliação: 4");
  });

  it("leave out the ticket's creation, which the first message shows", () => {
    expect(systemLineText(line("created"), pt)).toBeNull();
  });
});
