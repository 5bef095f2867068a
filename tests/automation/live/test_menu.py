"""The queue menu, with a customer on the simulator's network: greeting and menu, a choice by number or name,
wrong answers and the fallback, and a bot that knows when to keep quiet."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tests.automation.live.conftest import LiveDesk
from tests.system.harness import eventually
from tests.tickets.factories import Desk, build_desk, make_queue
from zapdesk.context import AppContext
from zapdesk.queues.models import Queue
from zapdesk.tickets.models import Ticket, TicketStatus

CUSTOMER = "5511988887777"
GREETING = "Olá, {{first_name}}! Bem-vindo à Loja Azul."
MENU = "*1* - Vendas\n*2* - Suporte: dúvidas técnicas\n*3* - Esporte"
INVALID = "Opção inválida."


@pytest.fixture
async def desk(context: AppContext, auth_headers: Any) -> Desk:
    return await build_desk(context, auth_headers)


async def _menu_connection(live: LiveDesk, desk: Desk, **menu: Any) -> tuple[int, dict[str, Queue]]:
    """A connection serving Vendas (1, `agent_not_in_queue`'s), Suporte (2, `agent_in_queue`'s) and Esporte (3),
    with its menu on."""
    vendas = desk.other_queue
    esporte = await make_queue(live.context, "Esporte", order=3)
    admin = desk.headers("admin")
    await live.call("PATCH", f"/api/queues/{vendas.id}", admin, json={"order": 1})
    await live.call(
        "PATCH",
        f"/api/queues/{desk.queue.id}",
        admin,
        json={"order": 2, "description": "dúvidas técnicas", "greeting_message": "Você está na fila de Suporte."},
    )
    connection_id = await live.linked_connection(
        admin,
        greeting_message=GREETING,
        queue_ids=[desk.queue.id, vendas.id, esporte.id],
        automation={"menu": {"enabled": True, **menu}},
    )
    return connection_id, {"vendas": vendas, "suporte": desk.queue, "esporte": esporte}


async def _ticket(live: LiveDesk) -> Ticket:
    async with live.context.sessionmaker() as session:
        return (await session.execute(select(Ticket))).scalar_one()


async def test_a_customer_gets_the_menu_and_answering_2_puts_the_ticket_in_queue_2_for_its_agents_only(
    live: LiveDesk, desk: Desk
) -> None:
    _, queues = await _menu_connection(live, desk)

    await live.customer_says(CUSTOMER, "Oi, boa tarde", name="Maria Silva")
    await live.receives(CUSTOMER, ["Olá, Maria! Bem-vindo à Loja Azul.\n\n" + MENU])
    waiting = await _ticket(live)
    assert (waiting.status, waiting.queue_id, waiting.choosing_queue) == (TicketStatus.PENDING, None, True)
    # While the customer chooses, only administrators see the ticket: no agent's room hears of it.
    assert {event.rooms for event in live.published.events if event.name.startswith(("ticket.", "message."))} == {
        ("admins",)
    }
    heard_before = len(live.published.events)

    await live.customer_says(CUSTOMER, "2")

    await live.receives(CUSTOMER, ["Olá, Maria! Bem-vindo à Loja Azul.\n\n" + MENU, "Você está na fila de Suporte."])
    ticket = await _ticket(live)
    assert (ticket.status, ticket.queue_id, ticket.choosing_queue) == (
        TicketStatus.PENDING,
        queues["suporte"].id,
        False,
    )
    after = [event for event in live.published.events[heard_before:] if event.name.startswith(("ticket.", "message."))]
    assert after, "the choice is announced"
    assert {room for event in after for room in event.rooms} == {"admins", f"queue:{queues['suporte'].id}"}
    # The agent of Suporte finds it; the agent of another queue does not.
    suporte = await live.call("GET", "/api/tickets", desk.headers("agent_in_queue"))
    vendas = await live.call("GET", "/api/tickets", desk.headers("agent_not_in_queue"))
    assert [item["id"] for item in suporte["items"]] == [ticket.id]
    assert vendas["items"] == []


async def test_a_typo_as_close_to_two_queues_is_asked_again_and_the_name_then_matches(
    live: LiveDesk, desk: Desk
) -> None:
    _, queues = await _menu_connection(live, desk)
    await live.customer_says(CUSTOMER, "Oi", name="Maria Silva")

    await live.customer_says(CUSTOMER, "sporte")  # as close to "Suporte" as to "Esporte"
    await live.customer_says(CUSTOMER, "SUPÓRTE")

    await live.receives(
        CUSTOMER,
        [
            "Olá, Maria! Bem-vindo à Loja Azul.\n\n" + MENU,
            f"{INVALID}\n\n{MENU}",
            "Você está na fila de Suporte.",
        ],
    )
    assert (await _ticket(live)).queue_id == queues["suporte"].id


async def test_three_wrong_answers_send_the_ticket_to_the_fallback_queue(live: LiveDesk, desk: Desk) -> None:
    connection_id, queues = await _menu_connection(live, desk)
    await live.call(
        "PATCH",
        f"/api/connections/{connection_id}",
        desk.headers("admin"),
        json={"automation": {"menu": {"enabled": True, "max_tries": 3, "fallback_queue_id": queues["vendas"].id}}},
    )
    await live.customer_says(CUSTOMER, "Oi", name="Maria Silva")

    for _ in range(3):
        await live.customer_says(CUSTOMER, "9")

    await live.receives(
        CUSTOMER,
        ["Olá, Maria! Bem-vindo à Loja Azul.\n\n" + MENU, f"{INVALID}\n\n{MENU}", f"{INVALID}\n\n{MENU}"],
    )
    ticket = await _ticket(live)
    assert (ticket.queue_id, ticket.choosing_queue) == (queues["vendas"].id, False)
    # From now on it is a conversation like any other: the bot says nothing more.
    await live.customer_says(CUSTOMER, "9")
    assert len(await live.received(CUSTOMER)) == 3


async def test_the_bot_is_silent_once_an_agent_accepts(live: LiveDesk, desk: Desk) -> None:
    await _menu_connection(live, desk)
    await live.customer_says(CUSTOMER, "Oi", name="Maria Silva")
    ticket = await _ticket(live)

    await live.call("PATCH", f"/api/tickets/{ticket.id}", desk.headers("admin"), json={"action": "accept"})
    await live.automaton.react()
    await live.customer_says(CUSTOMER, "9")
    await live.customer_says(CUSTOMER, "2")

    await live.receives(CUSTOMER, ["Olá, Maria! Bem-vindo à Loja Azul.\n\n" + MENU])
    accepted = await _ticket(live)
    assert (accepted.status, accepted.assignee_id, accepted.queue_id) == (TicketStatus.OPEN, desk.admin.id, None)


async def test_the_bot_is_silent_once_an_agent_writes(live: LiveDesk, desk: Desk) -> None:
    await _menu_connection(live, desk)
    await live.customer_says(CUSTOMER, "Oi", name="Maria Silva")
    ticket = await _ticket(live)

    await live.call(
        "POST", f"/api/tickets/{ticket.id}/messages", desk.headers("admin"), json={"body": "Oi Maria, é a Ada."}
    )
    await live.automaton.react()
    await live.customer_says(CUSTOMER, "9")

    await live.receives(CUSTOMER, ["Olá, Maria! Bem-vindo à Loja Azul.\n\n" + MENU, "*Ada Admin:*\nOi Maria, é a Ada."])
    assert (await _ticket(live)).choosing_queue is False


async def test_a_connection_with_one_queue_never_asks(live: LiveDesk, desk: Desk) -> None:
    await live.linked_connection(
        desk.headers("admin"), name="Só suporte", queue_ids=[desk.queue.id], automation={"menu": {"enabled": True}}
    )

    await live.customer_says(CUSTOMER, "Oi")

    ticket = await _ticket(live)
    assert (ticket.queue_id, ticket.choosing_queue) == (desk.queue.id, False)
    assert await live.received(CUSTOMER) == []


async def test_automatic_messages_are_stored_ticked_and_shown_in_the_chat_marked_as_automatic(
    live: LiveDesk, desk: Desk
) -> None:
    await _menu_connection(live, desk)
    await live.customer_says(CUSTOMER, "Oi", name="Maria Silva")
    await live.customer_says(CUSTOMER, "2")
    ticket = await _ticket(live)

    async def delivered() -> list[dict[str, Any]] | None:
        page = await live.call("GET", f"/api/tickets/{ticket.id}/messages", desk.headers("agent_in_queue"))
        ours = [item for item in page["items"] if item["from_me"]]
        return ours if ours and all(item["status"] in {"delivered", "read"} for item in ours) else None

    ours = await eventually(delivered, what="the automatic messages to be delivered")
    assert [(item["extra"]["automatic"], item["author_id"]) for item in ours] == [
        ("menu", None),
        ("queue_greeting", None),
    ]
