"""Scheduled messages with customers on the simulator's network: one goes out once when due, into the
contact's ticket; a cancelled one never does; one to a number that is not on WhatsApp ends `failed`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.automation.live.conftest import LiveDesk
from tests.system.harness import eventually
from tests.tickets.factories import Desk, build_desk, make_contact
from zapdesk.context import AppContext
from zapdesk.db.base import utcnow
from zapdesk.messages.models import Message
from zapdesk.tickets.models import Ticket, TicketStatus


@pytest.fixture
async def desk(context: AppContext, auth_headers: Any) -> Desk:
    return await build_desk(context, auth_headers)


async def _linked(live: LiveDesk, desk: Desk) -> int:
    return await live.linked_connection(desk.headers("admin"), queue_ids=[desk.queue.id])


async def _schedule(live: LiveDesk, desk: Desk, connection_id: int, contact_id: int, text: str, **extra: Any) -> Any:
    # The route refuses a time past on the real clock (until issue 11's injectable clock reaches it): the test's
    # clock, which started when the test did, first catches up with it, so "two seconds ahead" holds for both.
    live.automaton.now = max(live.automaton.now, utcnow())
    when = (live.automaton.now + timedelta(seconds=2)).isoformat()
    body = {"connection_id": connection_id, "contact_id": contact_id, "body": text, "send_at": when, **extra}
    return await live.call("POST", "/api/scheduled-messages", desk.headers("agent_in_queue"), json=body)


async def _status(live: LiveDesk, desk: Desk, schedule_id: int) -> Any:
    return await live.call("GET", f"/api/scheduled-messages/{schedule_id}", desk.headers("agent_in_queue"))


async def test_a_message_scheduled_two_seconds_ahead_goes_out_once_in_a_new_ticket_of_its_author(
    live: LiveDesk, desk: Desk
) -> None:
    connection_id = await _linked(live, desk)
    contact = await make_contact(live.context, name="Maria Silva", phone="5511988887777")
    scheduled = await _schedule(live, desk, connection_id, contact.id, "Oi {{first_name}}, seu pedido saiu!")
    assert scheduled["status"] == "scheduled"

    await live.automaton.advance(seconds=1)
    assert (await _status(live, desk, scheduled["id"]))["status"] == "scheduled"
    await live.automaton.advance(seconds=1)
    await live.automaton.advance(seconds=30)  # looking again sends nothing more

    await live.receives("5511988887777", ["*Iris In-Queue:*\nOi Maria, seu pedido saiu!"])

    async def sent() -> Any:
        found = await _status(live, desk, scheduled["id"])
        return found if found["status"] == "sent" else None

    done = await eventually(sent, what="the schedule to show it was sent")
    async with live.context.sessionmaker() as session:
        ticket = (await session.execute(select(Ticket))).scalar_one()
        message = (await session.execute(select(Message))).scalar_one()
    assert (done["ticket_id"], done["message_id"]) == (ticket.id, message.id)
    assert (ticket.status, ticket.assignee_id, ticket.contact_id) == (
        TicketStatus.OPEN,
        desk.agent_in_queue.id,
        contact.id,
    )
    assert (message.author_id, message.extra["scheduled_message_id"]) == (desk.agent_in_queue.id, scheduled["id"])


async def test_a_cancelled_message_never_goes_out_and_can_no_longer_change(live: LiveDesk, desk: Desk) -> None:
    connection_id = await _linked(live, desk)
    contact = await make_contact(live.context, phone="5511988887777")
    scheduled = await _schedule(live, desk, connection_id, contact.id, "Promoção!")
    agent = desk.headers("agent_in_queue")

    cancelled = await live.call("POST", f"/api/scheduled-messages/{scheduled['id']}/cancel", agent)
    await live.automaton.advance(minutes=5)
    edit = await live.api.patch(f"/api/scheduled-messages/{scheduled['id']}", json={"body": "Outra"}, headers=agent)

    assert cancelled["status"] == "cancelled"
    assert (edit.status_code, edit.json()["code"]) == (409, "scheduled_not_pending")
    async with live.context.sessionmaker() as session:
        assert (await session.execute(select(Message))).first() is None
    assert await live.received("5511988887777") == []


async def test_one_to_a_number_that_is_not_on_whatsapp_ends_failed_with_the_reason(live: LiveDesk, desk: Desk) -> None:
    connection_id = await _linked(live, desk)
    await live.simulator.call("PUT", "/api/phones/5511900000009/registration", {"on_whatsapp": False}, expect=204)
    contact = await make_contact(live.context, phone="5511900000009")
    scheduled = await _schedule(live, desk, connection_id, contact.id, "Olá!")

    await live.automaton.advance(seconds=2)

    async def failed() -> Any:
        found = await _status(live, desk, scheduled["id"])
        return found if found["status"] == "failed" else None

    outcome = await eventually(failed, what="the schedule to fail")
    assert outcome["error"] == "The number 5511900000009 is not on WhatsApp."
    listed = await live.call(
        "GET", "/api/scheduled-messages", desk.headers("agent_in_queue"), params={"status": "failed"}
    )
    assert [item["id"] for item in listed["items"]] == [scheduled["id"]]
