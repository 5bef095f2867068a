"""One ticket as automation acts on it: the ticket itself (locked), its connection and settings, automation's
memory of it, and the moment it acts at (the worker's clock)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from zapdesk.automation.messages import Said, Transcript, compose
from zapdesk.automation.models import TicketAutomation
from zapdesk.connections.automation import ConnectionAutomation, automation_of
from zapdesk.connections.models import Connection
from zapdesk.messages.models import Message
from zapdesk.messages.window import has_window, service_window
from zapdesk.queues.models import Queue
from zapdesk.settings.service import SettingKey, get_setting
from zapdesk.tickets import repository as tickets
from zapdesk.tickets.history import service as history
from zapdesk.tickets.history.models import TicketEventKind
from zapdesk.tickets.history.service import Actor
from zapdesk.tickets.models import Ticket, TicketStatus
from zapdesk.tickets.service import record_ticket_updated
from zapdesk.tickets.variables import Subject, protocol_of, variables, workspace_zone
from zapdesk.users.models import User

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Note:
    """A history line waiting for the message it names to be written (and so to have an id)."""

    ticket: Ticket
    kind: TicketEventKind
    actor: Actor
    message: Message | None
    fields: dict[str, Any]

    def line(self) -> history.Line:
        message_id = self.message.id if self.message is not None else None
        return history.Line(self.ticket, self.kind, self.actor, message_id=message_id, **self.fields)


@dataclass
class Scene:
    stage: Stage
    ticket: Ticket
    connection: Connection
    settings: ConnectionAutomation
    memory: TicketAutomation

    @property
    def session(self) -> AsyncSession:
        return self.stage.session

    @property
    def now(self) -> datetime:
        return self.stage.now

    async def say(self, template: str | None, what: Said) -> Message | None:
        """Queue `template`, filled for the ticket, to be written with the rest of the transaction's words."""
        if has_window(self.connection.provider) and not (await service_window(self.session, self.ticket)).is_open():
            return None  # free text cannot reach the customer now (Cloud API, a day after their last message)
        values = await self.stage.values_for(self.ticket)
        message = compose(self.ticket, template, what, values)
        if message is not None:
            self.stage.transcript.add(self.ticket, message)
        return message

    def moved(self, previous_rooms: tuple[str, ...] | None) -> None:
        """Automation just changed the ticket (`previous_rooms` from the change; None: it did not change)."""
        self.stage.moved(self.ticket, previous_rooms)

    def note(self, kind: TicketEventKind, actor: Actor, *, message: Message | None = None, **fields: Any) -> None:
        """A line for the ticket's history, naming the message it sent (written with the transaction's words)."""
        self.stage.note(_Note(self.ticket, kind, actor, message, fields))

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


class Stage:
    """What the scenes of one transaction share: the moment, the time zone, each connection read once."""

    def __init__(self, session: AsyncSession, now: datetime) -> None:
        self.session = session
        self.now = now
        self.transcript = Transcript()
        self._zone: ZoneInfo | None = None
        self._settings: dict[str, object] = {}
        self._connections: dict[int, tuple[Connection, ConnectionAutomation] | None] = {}
        # Held here: the session's identity map forgets what nobody references.
        self._users: dict[int, User | None] = {}
        self._moved: dict[int, tuple[Ticket, tuple[str, ...]]] = {}
        self._notes: list[_Note] = []

    async def zone(self) -> ZoneInfo:
        if self._zone is None:
            self._zone = await workspace_zone(self.session)
        return self._zone

    async def setting(self, key: SettingKey[T]) -> T:
        """A workspace setting, read once per transaction: a setting never set has no row, and the session
        cannot remember that, so every read would be a query while the tickets stay locked."""
        if key.name in self._settings:
            return cast(T, self._settings[key.name])
        value = await get_setting(self.session, key)
        self._settings[key.name] = value
        return value

    async def connection(self, connection_id: int) -> tuple[Connection, ConnectionAutomation] | None:
        """A connection with its queues and settings (None if it is gone)."""
        if connection_id not in self._connections:
            connection = await connection_with_queues(self.session, connection_id)
            self._connections[connection_id] = (
                (connection, automation_of(connection)) if connection is not None else None
            )
        return self._connections[connection_id]

    async def scene(self, ticket: Ticket, memory: TicketAutomation | None = None) -> Scene | None:
        """`ticket` (locked by the caller) on this stage; `memory`: the one the caller holds already (possibly
        not flushed yet)."""
        connection = await self.connection(ticket.connection_id)
        if connection is None:
            return None
        memory = memory or await memory_of(self.session, ticket)
        return Scene(self, ticket, connection[0], connection[1], memory)

    async def values_for(self, ticket: Ticket) -> dict[str, str]:
        """The template variables of `ticket` now (its agent and queue as they are at this point)."""
        if ticket.assignee_id is not None and ticket.assignee_id not in self._users:
            self._users[ticket.assignee_id] = await self.session.get(User, ticket.assignee_id)
        agent = self._users.get(ticket.assignee_id) if ticket.assignee_id is not None else None
        connection = await self.connection(ticket.connection_id)
        queues = connection[0].queues if connection is not None else []
        queue = next((queue for queue in queues if queue.id == ticket.queue_id), None)
        if queue is None and ticket.queue_id is not None:
            queue = await self.session.get(Queue, ticket.queue_id)  # a queue the connection no longer serves
        subject = Subject(contact=ticket.contact, agent=agent, queue=queue, protocol=protocol_of(ticket))
        return variables(subject, now=self.now, zone=await self.zone())

    def moved(self, ticket: Ticket, previous_rooms: tuple[str, ...] | None) -> None:
        """Automation changed `ticket` (rooms that saw it before; None: it did not change after all): announced
        at `finish`."""
        if previous_rooms is not None:
            self._moved.setdefault(ticket.id, (ticket, previous_rooms))

    def note(self, note: _Note) -> None:
        self._notes.append(note)

    async def finish(self) -> None:
        """Write every change of this transaction in one flush, announce the tickets moved, write what the scenes
        said, then the history lines (which name those messages)."""
        await self.session.flush()
        moved, self._moved = list(self._moved.values()), {}
        for ticket, previous_rooms in moved:
            await record_ticket_updated(self.session, ticket, previous_rooms=previous_rooms)
        await self.transcript.write(self.session)
        notes, self._notes = self._notes, []
        if notes:
            await history.record_all(self.session, [note.line() for note in notes])

    async def load_scene(self, ticket_id: int, memory: TicketAutomation | None = None) -> Scene | None:
        """The ticket locked (PostgreSQL) for the rest of the transaction; None if it is gone."""
        ticket = await tickets.get_ticket(self.session, ticket_id, lock=True)
        return None if ticket is None else await self.scene(ticket, memory)
