"""The satisfaction survey with a customer on the simulator's network: asked on close, a rating within the
window is kept on the closed ticket and opens nothing; anything else is a new conversation."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tests.automation.live.conftest import LiveDesk
from tests.tickets.factories import Desk, build_desk
from zapdesk.context import AppContext
from zapdesk.messages.models import Message
from zapdesk.tickets.models import Ticket, TicketStatus

CUSTOMER = "5511988887777"
QUESTION = "De 1 a 5, como você avalia o atendimento?"
THANKS = "Obrigado pela sua avaliação!"


@pytest.fixture
async def desk(context: AppContext, auth_headers: Any) -> Desk:
    return await build_desk(context, auth_headers)


async def _closed_conversation(live: LiveDesk, desk: Desk) -> int:
    """A customer asked, the agent of Suporte answered and closed the ticket: the survey went out."""
    await live.linked_connection(
        desk.headers("admin"),
        queue_ids=[desk.queue.id],
        farewell_message="Até logo, {{first_name}}!",
        automation={"survey": {"enabled": True, "window_minutes": 60}},
    )
    await live.customer_says(CUSTOMER, "Meu pedido chegou quebrado", name="Maria Silva")
    agent = desk.headers("agent_in_queue")
    ticket_id = (await live.call("GET", "/api/tickets", agent))["items"][0]["id"]
    await live.call("PATCH", f"/api/tickets/{ticket_id}", agent, json={"action": "accept"})
    await live.call("POST", f"/api/tickets/{ticket_id}/messages", agent, json={"body": "Vamos trocar, já enviei."})
    await live.call("PATCH", f"/api/tickets/{ticket_id}", agent, json={"action": "close"})
    await live.automaton.react()
    await live.receives(CUSTOMER, ["*Iris In-Queue:*\nVamos trocar, já enviei.", "Até logo, Maria!", QUESTION])
    return int(ticket_id)


async def _tickets(live: LiveDesk) -> list[Ticket]:
    async with live.context.sessionmaker() as session:
        return list((await session.execute(select(Ticket).order_by(Ticket.id))).scalars())


async def test_a_5_after_the_close_is_kept_on_the_closed_ticket_with_its_agent_and_opens_nothing(
    live: LiveDesk, desk: Desk
) -> None:
    ticket_id = await _closed_conversation(live, desk)

    await live.customer_says(CUSTOMER, "5")

    (ticket,) = await _tickets(live)
    assert (ticket.id, ticket.status, ticket.rating) == (ticket_id, TicketStatus.CLOSED, 5)
    assert (ticket.rated_agent_id, ticket.rated_queue_id, ticket.survey_until) == (
        desk.agent_in_queue.id,
        desk.queue.id,
        None,
    )
    await live.receives(CUSTOMER, ["*Iris In-Queue:*\nVamos trocar, já enviei.", "Até logo, Maria!", QUESTION, THANKS])
    async with live.context.sessionmaker() as session:
        rating = (await session.execute(select(Message).where(Message.body == "5"))).scalar_one()
    assert rating.ticket_id == ticket_id
    rated = await live.call("GET", "/api/tickets", desk.headers("admin"), params={"rating": 5})
    assert [item["id"] for item in rated["items"]] == [ticket_id]
    assert rated["items"][0]["rating"] == 5
    assert (await live.call("GET", "/api/tickets", desk.headers("admin"), params={"rating": 4}))["items"] == []


async def test_stars_are_a_rating_too_and_only_the_first_rating_counts(live: LiveDesk, desk: Desk) -> None:
    await _closed_conversation(live, desk)

    await live.customer_says(CUSTOMER, "⭐⭐⭐⭐")
    await live.customer_says(CUSTOMER, "2")

    tickets = await _tickets(live)
    assert [(ticket.status, ticket.rating) for ticket in tickets] == [
        (TicketStatus.CLOSED, 4),
        (TicketStatus.PENDING, None),
    ]


async def test_obrigado_after_the_close_opens_a_new_ticket(live: LiveDesk, desk: Desk) -> None:
    ticket_id = await _closed_conversation(live, desk)

    await live.customer_says(CUSTOMER, "obrigado")

    closed, new = await _tickets(live)
    assert (closed.id, closed.rating) == (ticket_id, None)
    assert (new.status, new.contact_id) == (TicketStatus.PENDING, closed.contact_id)


async def test_a_rating_after_the_window_opens_a_new_ticket(live: LiveDesk, desk: Desk) -> None:
    await _closed_conversation(live, desk)

    await live.automaton.advance(minutes=61)
    await live.customer_says(CUSTOMER, "5")

    closed, new = await _tickets(live)
    assert (closed.rating, closed.survey_until) == (None, None)
    assert new.status == TicketStatus.PENDING
    async with live.context.sessionmaker() as session:
        late = (await session.execute(select(Message).where(Message.body == "5"))).scalar_one()
    assert late.ticket_id == new.id
