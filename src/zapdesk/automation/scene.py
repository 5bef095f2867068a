"""One ticket as automation acts on it: the ticket itself (locked), its connection and settings, automation's
memory of it, and the moment it acts at (the worker's clock)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from zapdesk.automation.messages import Said, say
from zapdesk.automation.models import TicketAutomation
from zapdesk.connections.automation import ConnectionAutomation, automation_of
from zapdesk.connections.models import Connection
from zapdesk.messages.models import Message
from zapdesk.tickets import repository as tickets
from zapdesk.tickets.models import Ticket, TicketStatus


def snapshot(status: TicketStatus | str, queue_id: int | None, assignee_id: int | None) -> str:
    """A ticket's place as one comparable string: "open|3|12"."""
    return f"{status}|{queue_id or ''}|{assignee_id or ''}"


@dataclass
class Scene:
    session: AsyncSession
    now: datetime
    ticket: Ticket
    connection: Connection
    settings: ConnectionAutomation
    memory: TicketAutomation

    async def say(self, template: str | None, what: Said) -> Message | None:
        return await say(self.session, self.ticket, template, what, now=self.now)

    def expect_own_change(self) -> None:
        """Automation just moved the ticket: the event that shows it is not a person's doing."""
        ticket = self.ticket
        self.memory.own_change = snapshot(ticket.status, ticket.queue_id, ticket.assignee_id)

    @property
    def is_group(self) -> bool:
        return self.ticket.contact.is_group

    @property
    def is_closed(self) -> bool:
        return self.ticket.status == TicketStatus.CLOSED


async def connection_with_queues(session: AsyncSession, connection_id: int) -> Connection | None:
    query = select(Connection).where(Connection.id == connection_id).options(selectinload(Connection.queues))
    return (await session.execute(query)).scalar_one_or_none()


async def memory_of(session: AsyncSession, ticket: Ticket) -> TicketAutomation:
    """Automation's memory of `ticket`, started now (as seen now, not fresh) if it has none."""
    memory = await session.get(TicketAutomation, ticket.id)
    if memory is None:
        memory = TicketAutomation(
            ticket_id=ticket.id,
            fresh=False,
            seen_status=ticket.status,
            seen_queue_id=ticket.queue_id,
            seen_assignee_id=ticket.assignee_id,
            seen_choosing=ticket.choosing_queue,
            menu_tries=0,
        )
        session.add(memory)
    return memory


async def load_scene(
    session: AsyncSession, ticket_id: int, *, now: datetime, memory: TicketAutomation | None = None
) -> Scene | None:
    """The ticket locked (PostgreSQL) for the rest of the transaction; None if it is gone. `memory`: the one the
    caller holds already (possibly not flushed yet)."""
    ticket = await tickets.get_ticket(session, ticket_id, lock=True)
    if ticket is None:
        return None
    connection = await connection_with_queues(session, ticket.connection_id)
    if connection is None:
        return None
    memory = memory or await memory_of(session, ticket)
    return Scene(session, now, ticket, connection, automation_of(connection), memory)
