import { describe, expect, it } from "vitest";
import type { Message, TicketEvent } from "../api/types";
import { translate, type MessageKey, type Vars } from "../i18n/translate";
import { historyLine, timeline } from "./history";

const t = (key: MessageKey, vars?: Vars) => translate("pt-BR", key, vars);
const message = (id: number, created_at: string) => ({ id, created_at, client_id: null }) as Message;
const ref = (id: number, name: string) => ({ id, name });

function line(id: number, at: string, extra: Partial<TicketEvent> = {}): TicketEvent {
  return {
    id,
    ticket_id: 1,
    kind: "accepted",
    at,
    actor: { kind: "user", user: ref(7, "Bia") },
    message_id: null,
    from_user: null,
    to_user: null,
    from_queue: null,
    to_queue: null,
    detail: {},
    ...extra,
  };
}

describe("ticket history in the chat", () => {
  it("says what automation decided, in Portuguese", () => {
    const bot = { kind: "bot" as const, user: null };
    const timer = { kind: "timer" as const, user: null };
    const fallback = line(1, "2026-03-01T10:00:00Z", { kind: "queue_chosen", actor: bot, to_queue: ref(2, "Suporte") });
    expect(historyLine(fallback, t)).toBe("Foi para a fila Suporte sem escolher");
    const givenBack = line(2, "2026-03-01T10:00:00Z", { kind: "transferred", actor: timer, from_user: ref(7, "Bia") });
    expect(historyLine(givenBack, t)).toBe("Voltou à fila: Bia não respondeu a tempo");
    expect(historyLine(line(3, "2026-03-01T10:00:00Z", { kind: "reminded", actor: timer }), t)).toBe(
      "Lembrete enviado ao cliente",
    );
  });

  it("says who did what in Portuguese", () => {
    expect(historyLine(line(1, "2026-03-01T10:00:00Z"), t)).toBe("Bia aceitou o atendimento");
    const created = line(2, "2026-03-01T10:00:00Z", { kind: "created", actor: { kind: "customer", user: null } });
    expect(historyLine(created, t)).toBe("Atendimento aberto pelo cliente");
    const transfer = line(3, "2026-03-01T10:00:00Z", {
      kind: "transferred",
      from_user: ref(7, "Bia"),
      to_user: null,
      from_queue: ref(1, "Suporte"),
      to_queue: ref(2, "Vendas"),
    });
    expect(historyLine(transfer, t)).toBe(
      "Bia transferiu o atendimento: de Bia para ninguém, da fila Suporte para a fila Vendas",
    );
    const timer = line(4, "2026-03-01T10:00:00Z", { kind: "closed", actor: { kind: "timer", user: null } });
    expect(historyLine(timer, t)).toBe("Atendimento encerrado automaticamente (tempo esgotado)");
    const byBot = line(5, "2026-03-01T10:00:00Z", { kind: "reopened", actor: { kind: "bot", user: null } });
    expect(historyLine(byBot, t)).toBe("A automação reabriu o atendimento");
  });

  it("puts each line before the first message written after it, and keeps older lines until they are loaded", () => {
    const messages = [message(10, "2026-03-01T10:00:00Z"), message(11, "2026-03-01T12:00:00Z")];
    const events = [line(1, "2026-03-01T09:00:00Z"), line(2, "2026-03-01T11:00:00Z")];
    const kinds = (complete: boolean) =>
      timeline(messages, events, complete).map((item) => (item.kind === "message" ? item.message.id : `e${item.event.id}`));
    expect(kinds(true)).toEqual(["e1", 10, "e2", 11]);
    expect(kinds(false)).toEqual([10, "e2", 11]);
  });
});
