"""find_or_create_active_ticket: one open-or-pending ticket per contact and connection, even under races."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import EventLog
from tests.tickets.factories import Desk, make_connection, make_contact, make_queue, make_ticket
from zapdesk.connections.models import Connection
from zapdesk.contacts.models import Contact
from zapdesk.context import AppContext
from zapdesk.db.uow import unit_of_work
from zapdesk.tickets.history.service import CUSTOMER
from zapdesk.tickets.models import Ticket, TicketStatus
from zapdesk.tickets.service import find_or_create_active_ticket


async def find_or_create(context: AppContext, contact_id: int, connection_id: int) -> tuple[Ticket, bool]:
    async with unit_of_work(context.sessionmaker, context.publish) as session:
        contact = await session.get(Contact, contact_id)
        connection = await session.get(Connection, connection_id)
        assert contact is not None and connection is not None
        return await find_or_create_active_ticket(session, contact=contact, connection=connection, opened_by=CUSTOMER)


async def active_count(session: AsyncSession, contact_id: int) -> int:
    query = (
        select(func.count())
        .select_from(Ticket)
        .where(Ticket.contact_id == contact_id, Ticket.status != TicketStatus.CLOSED)
    )
    return int(await session.scalar(query) or 0)


async def test_first_message_creates_a_pending_ticket_in_the_connections_first_queue(
    desk: Desk, published: EventLog
) -> None:
    # Queues are taken in the order the connection lists them: by menu number, not by name.
    alpha, zulu = await make_queue(desk.context, "Alpha", order=2), await make_queue(desk.context, "Zulu", order=1)
    connection = await make_connection(desk.context, queues=[alpha, zulu])
    contact = await make_contact(desk.context)
    ticket, created = await find_or_create(desk.context, contact.id, connection.id)
    assert created
    assert (ticket.status, ticket.queue_id, ticket.assignee_id) == (TicketStatus.PENDING, zulu.id, None)
    (event,) = published.named("ticket.created")
    assert event.payload["id"] == ticket.id
    assert event.rooms == ("admins", f"queue:{zulu.id}")


async def test_a_connection_without_queues_makes_tickets_every_agent_may_pick_up(
    desk: Desk, published: EventLog
) -> None:
    connection = await make_connection(desk.context)
    contact = await make_contact(desk.context)
    ticket, _ = await find_or_create(desk.context, contact.id, connection.id)
    assert ticket.queue_id is None
    assert published.named("ticket.created")[0].rooms == ("admins", "agents")


async def test_second_message_from_same_contact_reuses_open_ticket(desk: Desk, published: EventLog) -> None:
    contact = await make_contact(desk.context)
    open_ticket = await make_ticket(
        desk.context, connection=desk.connection, contact=contact, status=TicketStatus.OPEN, assignee=desk.assignee
    )
    ticket, created = await find_or_create(desk.context, contact.id, desk.connection.id)
    assert (ticket.id, created) == (open_ticket.id, False)
    assert published.events == []


async def test_a_closed_ticket_is_not_reused(desk: Desk) -> None:
    contact = await make_contact(desk.context)
    closed = await make_ticket(desk.context, connection=desk.connection, contact=contact, status=TicketStatus.CLOSED)
    ticket, created = await find_or_create(desk.context, contact.id, desk.connection.id)
    assert created
    assert ticket.id != closed.id


async def test_the_same_contact_on_another_connection_gets_its_own_ticket(desk: Desk) -> None:
    contact = await make_contact(desk.context)
    other_connection = await make_connection(desk.context)
    first, _ = await find_or_create(desk.context, contact.id, desk.connection.id)
    second, created = await find_or_create(desk.context, contact.id, other_connection.id)
    assert created
    assert second.id != first.id


async def test_racing_creators_share_one_active_ticket(desk: Desk, session: AsyncSession) -> None:
    """The second creator inserts while the first has not committed: the unique index, not a lookup, decides."""
    contact = await make_contact(desk.context)
    async with desk.context.sessionmaker() as first_session:
        first_contact = await first_session.get(Contact, contact.id)
        first_connection = await first_session.get(Connection, desk.connection.id)
        assert first_contact is not None and first_connection is not None
        first, first_created = await find_or_create_active_ticket(
            first_session, contact=first_contact, connection=first_connection, opened_by=CUSTOMER
        )
        # Uncommitted: the second creator's lookup cannot see it, and PostgreSQL blocks its insert on the index
        # until the first commits. (SQLite serializes writers from BEGIN IMMEDIATE on: the second only starts
        # once the first has committed, and its lookup finds the ticket; the outcome below is the same.)
        second_call = asyncio.create_task(find_or_create(desk.context, contact.id, desk.connection.id))
        if desk.context.engine.dialect.name == "postgresql":
            await _until_someone_waits_for_a_lock(desk.context)
            assert not second_call.done()
        await first_session.commit()
    second, second_created = await second_call
    assert (first_created, second_created) == (True, False)
    assert second.id == first.id
    assert await active_count(session, contact.id) == 1


async def _until_someone_waits_for_a_lock(context: AppContext) -> None:
    async with asyncio.timeout(10), context.sessionmaker() as observer:
        while True:
            waiting = await observer.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted"))
            await observer.rollback()  # a fresh snapshot of pg_locks next time
            if waiting:
                return
            await asyncio.sleep(0.01)  # polling what PostgreSQL reports, not waiting for time to pass


async def test_many_concurrent_first_messages_leave_exactly_one_ticket(desk: Desk, session: AsyncSession) -> None:
    contact = await make_contact(desk.context)
    results = await asyncio.gather(*(find_or_create(desk.context, contact.id, desk.connection.id) for _ in range(5)))
    assert len({ticket.id for ticket, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert await active_count(session, contact.id) == 1
