"""Building conversations directly in the database: queues, connections, contacts, tickets, messages.

Each helper commits what it makes and returns the detached row, so tests can use its ids freely.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import httpx

from tests.conftest import TEST_PASSWORD
from zapdesk.auth.passwords import hash_password
from zapdesk.connections.models import Connection
from zapdesk.contacts.models import Contact
from zapdesk.context import AppContext
from zapdesk.db.base import utcnow
from zapdesk.messages.models import Message, MessageStatus
from zapdesk.queues.models import Queue
from zapdesk.tickets.models import Ticket, TicketStatus
from zapdesk.users.models import Role, User

_numbers = itertools.count(1)

AuthHeaders = Callable[[User], dict[str, str]]


async def make_queue(context: AppContext, name: str | None = None, *, order: int | None = None) -> Queue:
    """A queue with its own menu number (`order`: the next free one unless given)."""
    number = next(_numbers)
    async with context.sessionmaker() as session:
        queue = Queue(name=name or f"Queue {number}", order=order if order is not None else number % 99 + 1)
        session.add(queue)
        await session.commit()
        return queue


async def make_connection(
    context: AppContext, *, queues: list[Queue] | None = None, name: str | None = None
) -> Connection:
    async with context.sessionmaker() as session:
        connection = Connection(
            name=name or f"Connection {next(_numbers)}",
            queues=[await session.merge(queue) for queue in queues or []],
        )
        session.add(connection)
        await session.commit()
        return connection


async def make_contact(context: AppContext, *, name: str | None = None, phone: str | None = None) -> Contact:
    number = next(_numbers)
    async with context.sessionmaker() as session:
        contact = Contact(name=name or f"Contact {number}", phone=phone or f"5511900{number:06d}", custom_fields={})
        session.add(contact)
        await session.commit()
        return contact


async def make_ticket(
    context: AppContext,
    *,
    connection: Connection,
    contact: Contact | None = None,
    queue: Queue | None = None,
    assignee: User | None = None,
    status: TicketStatus = TicketStatus.PENDING,
    unread_count: int = 0,
    last_activity_at: datetime | None = None,
) -> Ticket:
    contact = contact or await make_contact(context)
    async with context.sessionmaker() as session:
        ticket = Ticket(
            contact_id=contact.id,
            connection_id=connection.id,
            queue_id=queue.id if queue else None,
            assignee_id=assignee.id if assignee else None,
            status=status,
            unread_count=unread_count,
            last_activity_at=last_activity_at or utcnow(),
            closed_at=utcnow() if status == TicketStatus.CLOSED else None,
        )
        session.add(ticket)
        await session.commit()
        return ticket


async def make_message(
    context: AppContext, *, ticket: Ticket, body: str = "Olá", from_me: bool = False, client_id: str | None = None
) -> Message:
    async with context.sessionmaker() as session:
        message = Message(
            ticket_id=ticket.id,
            contact_id=ticket.contact_id,
            connection_id=ticket.connection_id,
            body=body,
            from_me=from_me,
            client_id=client_id,
            status=MessageStatus.SENT,
            extra={},
            reactions={},
        )
        session.add(message)
        await session.commit()
        return message


@dataclass
class Desk:
    """A small help desk: two queues on one connection and the five kinds of caller the rules tell apart.

    `guarded_ticket()` sits in `queue` (which `agent_in_queue` serves), is open and
    assigned to `assignee` (who serves no queue); `agent_not_in_queue` serves only `other_queue`.
    """

    context: AppContext
    queue: Queue
    other_queue: Queue
    connection: Connection
    admin: User
    agent_in_queue: User
    agent_not_in_queue: User
    assignee: User
    auth_headers: AuthHeaders

    def headers(self, persona: str) -> dict[str, str]:
        if persona == "anonymous":
            return {}
        user: User = getattr(self, persona)
        return self.auth_headers(user)

    async def open_ticket_in(self, queue: Queue) -> Ticket:
        """An open ticket in `queue`, assigned to nobody."""
        return await make_ticket(self.context, connection=self.connection, queue=queue, status=TicketStatus.OPEN)

    async def guarded_ticket(self, *, status: TicketStatus = TicketStatus.OPEN, unread_count: int = 0) -> Ticket:
        """A ticket in `queue`, assigned to `assignee`."""
        return await make_ticket(
            self.context,
            connection=self.connection,
            queue=self.queue,
            assignee=self.assignee,
            status=status,
            unread_count=unread_count,
        )


PERSONAS = ("anonymous", "agent_in_queue", "agent_not_in_queue", "assignee", "admin")


@functools.cache
def _password_hash() -> str:
    # Hashing is deliberately slow; these users sign in with issued tokens, so one hash serves them all.
    return hash_password(TEST_PASSWORD)


async def make_staff(
    context: AppContext, *, name: str, role: Role = Role.AGENT, queues: list[Queue] | None = None
) -> User:
    async with context.sessionmaker() as session:
        user = User(
            name=name,
            email=f"user{next(_numbers)}@example.com",
            password_hash=_password_hash(),
            role=role,
            queues=[await session.merge(queue) for queue in queues or []],
        )
        session.add(user)
        await session.commit()
        return user


async def build_desk(context: AppContext, auth_headers: AuthHeaders) -> Desk:
    queue = await make_queue(context, "Suporte")
    other_queue = await make_queue(context, "Vendas")
    connection = await make_connection(context, queues=[queue])
    return Desk(
        context=context,
        queue=queue,
        other_queue=other_queue,
        connection=connection,
        admin=await make_staff(context, role=Role.ADMIN, name="Ada Admin"),
        agent_in_queue=await make_staff(context, queues=[queue], name="Iris In-Queue"),
        agent_not_in_queue=await make_staff(context, queues=[other_queue], name="Otto Other-Queue"),
        assignee=await make_staff(context, name="Ana Assignee"),
        auth_headers=auth_headers,
    )


def ids_of(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def guarded_status(persona: str, allowed: int) -> int:
    """What a route on `Desk.guarded_ticket()` answers each persona: 401 signed out, 404 out of scope."""
    return {"anonymous": 401, "agent_not_in_queue": 404}.get(persona, allowed)
