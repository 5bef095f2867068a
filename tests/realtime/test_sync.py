"""GET /api/sync: after a reconnect, what changed since a time, limited to what the caller may see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update

from tests.tickets.factories import Desk, make_message, make_ticket
from zapdesk.db.base import utcnow
from zapdesk.messages.models import Message
from zapdesk.tickets.models import Ticket, TicketStatus


async def sync(client: httpx.AsyncClient, headers: dict[str, str], since: datetime, **params: object) -> httpx.Response:
    return await client.get("/api/sync", params={"since": since.isoformat(), **params}, headers=headers)


async def age(desk: Desk, ticket: Ticket, message: Message, by: timedelta) -> None:
    """Make a ticket and its message look last changed `by` ago."""
    async with desk.context.sessionmaker() as session:
        await session.execute(update(Ticket).where(Ticket.id == ticket.id).values(updated_at=utcnow() - by))
        await session.execute(update(Message).where(Message.id == message.id).values(updated_at=utcnow() - by))
        await session.commit()


async def test_sync_returns_only_the_changes_the_agent_may_see(client: httpx.AsyncClient, desk: Desk) -> None:
    before = utcnow()
    ours = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue, status=TicketStatus.OPEN)
    theirs = await make_ticket(
        desk.context, connection=desk.connection, queue=desk.other_queue, status=TicketStatus.OPEN
    )
    our_message = await make_message(desk.context, ticket=ours, body="nossa")
    await make_message(desk.context, ticket=theirs, body="deles")

    response = await sync(client, desk.headers("agent_in_queue"), before)

    assert response.status_code == 200, response.text
    body = response.json()
    assert [ticket["id"] for ticket in body["tickets"]] == [ours.id]
    assert [message["id"] for message in body["messages"]] == [our_message.id]
    assert body["messages"][0]["body"] == "nossa"
    assert body["truncated"] is False
    assert before <= datetime.fromisoformat(body["server_time"]) <= utcnow()


async def test_sync_gives_the_admin_every_change(client: httpx.AsyncClient, desk: Desk) -> None:
    before = utcnow()
    first = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue)
    second = await make_ticket(desk.context, connection=desk.connection, queue=desk.other_queue)

    body = (await sync(client, desk.headers("admin"), before)).json()

    assert [ticket["id"] for ticket in body["tickets"]] == [first.id, second.id]


async def test_sync_leaves_out_what_changed_well_before_since(client: httpx.AsyncClient, desk: Desk) -> None:
    old = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue)
    old_message = await make_message(desk.context, ticket=old)
    await age(desk, old, old_message, timedelta(hours=2))
    new = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue)
    new_message = await make_message(desk.context, ticket=new)

    # A zone-less time is read as UTC.
    since = (utcnow() - timedelta(hours=1)).astimezone(UTC).replace(tzinfo=None)
    body = (await sync(client, desk.headers("agent_in_queue"), since)).json()

    assert [ticket["id"] for ticket in body["tickets"]] == [new.id]
    assert [message["id"] for message in body["messages"]] == [new_message.id]


async def test_sync_says_truncated_when_more_changed_than_the_limit(client: httpx.AsyncClient, desk: Desk) -> None:
    before = utcnow()
    tickets = [await make_ticket(desk.context, connection=desk.connection, queue=desk.queue) for _ in range(3)]

    body = (await sync(client, desk.headers("agent_in_queue"), before, limit=2)).json()

    assert [ticket["id"] for ticket in body["tickets"]] == [tickets[0].id, tickets[1].id]
    assert body["truncated"] is True


async def test_sync_needs_a_signed_in_caller_and_a_valid_time(client: httpx.AsyncClient, desk: Desk) -> None:
    anonymous = await client.get("/api/sync", params={"since": utcnow().isoformat()})
    garbled = await client.get("/api/sync", params={"since": "yesterday"}, headers=desk.headers("admin"))

    assert anonymous.status_code == 401
    assert garbled.status_code == 422
    assert garbled.json()["code"] == "invalid"
