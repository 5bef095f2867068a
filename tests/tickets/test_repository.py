"""write_ticket_columns: the columns messages move, written for many tickets at once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import executed_statements
from tests.tickets.factories import Desk, make_connection, make_ticket
from zapdesk.db.base import utcnow
from zapdesk.tickets.models import Ticket
from zapdesk.tickets.repository import write_ticket_columns


async def test_the_tickets_are_written_in_one_update_and_their_objects_hold_what_was_stored(desk: Desk) -> None:
    connection = await make_connection(desk.context)
    created = [await make_ticket(desk.context, connection=connection) for _ in range(3)]
    moment = utcnow() + timedelta(minutes=5)
    these = select(Ticket).where(Ticket.id.in_([t.id for t in created])).order_by(Ticket.id)
    async with desk.context.sessionmaker() as session:
        tickets = list(await session.scalars(these))
        moved = {"unread_count": 2, "last_message_preview": "olá", "last_message_at": moment}
        with executed_statements(desk.context) as sent:
            await write_ticket_columns(session, [(ticket, moved) for ticket in tickets])
            await session.flush()  # nothing left for it: the objects already hold the stored values
            await session.commit()
        assert sent == ["UPDATE"]
        assert all((t.unread_count, t.last_message_preview, t.last_message_at) == (2, "olá", moment) for t in tickets)
        updated_at = {ticket.updated_at for ticket in tickets}
    async with desk.context.sessionmaker() as session:
        stored = list(await session.scalars(these))
    assert {(t.unread_count, t.last_message_preview, t.last_message_at) for t in stored} == {(2, "olá", moment)}
    assert {ticket.updated_at for ticket in stored} == updated_at
    assert all(ticket.updated_at > old.updated_at for ticket, old in zip(stored, created, strict=True))
