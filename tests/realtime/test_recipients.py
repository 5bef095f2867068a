"""Who receives each event of the contract, live and when catching up: for every event a browser may get, the
work that makes it happens for real, and each kind of user either receives it (on their socket and in
GET /api/events) or does not, as the table says.

The desk (tests/tickets/factories.py): `queue` ("Suporte") is served by `agent_in_queue`, `other_queue` by
`agent_not_in_queue`; the guarded ticket sits in `queue`, open and assigned to `assignee` (who serves no queue).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from tests.live_server import LiveServer, SocketEvents
from tests.tickets.factories import Desk, make_connection, make_contact, make_message, make_queue, make_staff
from tests.tickets.factories import make_ticket as make_ticket_row
from zapdesk.connections.service import record_pairing_code, record_qr
from zapdesk.db.base import utcnow
from zapdesk.db.events import Event
from zapdesk.db.uow import record_event, unit_of_work
from zapdesk.events import BROWSER_EVENTS, Removed
from zapdesk.messages.models import Message, MessageStatus
from zapdesk.realtime.rooms import user_room

PERSONAS = ("admin", "agent_in_queue", "agent_not_in_queue", "assignee")
EVERYONE = frozenset(PERSONAS)


class Barrier(Event[Removed]):
    """Sent last to each user's own room: a socket that got it got everything published before it."""

    name = "test.recipients_barrier"


@dataclass
class World:
    live_server: LiveServer
    desk: Desk

    async def call(self, method: str, path: str, *, as_user: str = "admin", **kwargs: Any) -> Any:
        user = getattr(self.desk, as_user)
        async with self.live_server.http(user) as http:
            response = await http.request(method, path, **kwargs)
        assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    async def committed(self, work: Callable[[Any], Awaitable[None]]) -> None:
        context = self.live_server.context
        async with unit_of_work(context.sessionmaker, context.publish) as session:
            await work(session)


Scenario = Callable[[World], Awaitable[None]]


async def open_conversation(world: World) -> None:
    contact = await make_contact(world.desk.context)
    body = {"contact_id": contact.id, "connection_id": world.desk.connection.id}
    await world.call("POST", "/api/tickets", json=body, as_user="agent_in_queue")


async def accept_pending_ticket(world: World) -> None:
    ticket = await make_ticket_row(world.desk.context, connection=world.desk.connection, queue=world.desk.queue)
    await world.call("PATCH", f"/api/tickets/{ticket.id}", json={"action": "accept"}, as_user="agent_in_queue")


async def transfer_to_other_queue(world: World) -> None:
    ticket = await world.desk.guarded_ticket()
    await world.call("PATCH", f"/api/tickets/{ticket.id}", json={"queue_id": world.desk.other_queue.id})


async def answer_guarded_ticket(world: World) -> None:
    ticket = await world.desk.guarded_ticket()
    await world.call("POST", f"/api/tickets/{ticket.id}/messages", json={"body": "Olá!"})


async def retry_failed_message(world: World) -> None:
    ticket = await world.desk.guarded_ticket()
    message = await make_message(world.desk.context, ticket=ticket, from_me=True)
    async with world.desk.context.sessionmaker() as session:
        await session.execute(update(Message).where(Message.id == message.id).values(status=MessageStatus.FAILED))
        await session.commit()
    await world.call("POST", f"/api/messages/{message.id}/retry")


async def rename_contact(world: World) -> None:
    contact = await make_contact(world.desk.context)
    await world.call("PATCH", f"/api/contacts/{contact.id}", json={"name": "Renomeada"})


async def delete_contact(world: World) -> None:
    contact = await make_contact(world.desk.context)
    await world.call("DELETE", f"/api/contacts/{contact.id}")


async def rename_connection(world: World) -> None:
    await world.call("PATCH", f"/api/connections/{world.desk.connection.id}", json={"name": "Atendimento"})


async def delete_connection(world: World) -> None:
    spare = await make_connection(world.desk.context, name="Sobrando")
    await world.call("DELETE", f"/api/connections/{spare.id}")


async def show_qr_code(world: World) -> None:
    connection_id = world.desk.connection.id

    async def work(session: Any) -> None:
        await record_qr(session, connection_id, "2@scan-me", utcnow() + timedelta(minutes=1))

    await world.committed(work)


async def show_pairing_code(world: World) -> None:
    connection_id = world.desk.connection.id

    async def work(session: Any) -> None:
        await record_pairing_code(session, connection_id, "ABCD1234", utcnow() + timedelta(minutes=1))

    await world.committed(work)


async def create_queue(world: World) -> None:
    await world.call("POST", "/api/queues", json={"name": "Financeiro"})


async def recolour_queue(world: World) -> None:
    await world.call("PATCH", f"/api/queues/{world.desk.queue.id}", json={"color": "#112233"})


async def delete_queue(world: World) -> None:
    spare = await make_queue(world.desk.context, "Sobrando")
    await world.call("DELETE", f"/api/queues/{spare.id}")


async def mention_assignee_in_a_note(world: World) -> None:
    ticket = await world.desk.guarded_ticket()
    await world.call("POST", f"/api/tickets/{ticket.id}/notes", json={"body": "@Ana Assignee veja"})


async def read_notifications_of_assignee(world: World) -> None:
    await mention_assignee_in_a_note(world)
    await world.call("POST", "/api/notifications/read", json={}, as_user="assignee")


async def assignee_schedules_a_message(world: World) -> None:
    contact = await make_contact(world.desk.context)
    body = {
        "connection_id": world.desk.connection.id,
        "contact_id": contact.id,
        "body": "Oi",
        "send_at": "2099-01-01T12:00:00Z",
    }
    await world.call("POST", "/api/scheduled-messages", json=body, as_user="assignee")


async def create_tag(world: World) -> None:
    await world.call("POST", "/api/tags", json={"name": "VIP"})


async def recolour_tag(world: World) -> None:
    tag = await world.call("POST", "/api/tags", json={"name": "Atacado"})
    await world.call("PATCH", f"/api/tags/{tag['id']}", json={"color": "#112233"})


async def delete_tag(world: World) -> None:
    tag = await world.call("POST", "/api/tags", json={"name": "Sobrando"})
    await world.call("DELETE", f"/api/tags/{tag['id']}")


async def create_user(world: World) -> None:
    body = {"name": "Nova", "email": "nova@example.com", "password": "uma senha longa", "role": "agent"}
    await world.call("POST", "/api/users", json=body)


async def rename_assignee(world: World) -> None:
    await world.call("PATCH", f"/api/users/{world.desk.assignee.id}", json={"name": "Ana Atendente"})


async def delete_user(world: World) -> None:
    spare = await make_staff(world.desk.context, name="Sobrando")
    await world.call("DELETE", f"/api/users/{spare.id}")


# event name → (what makes it happen, who receives it)
RECIPIENTS: dict[str, tuple[Scenario, frozenset[str]]] = {
    # Opened by an agent writing first: theirs, in the connection's queue.
    "ticket.created": (open_conversation, frozenset({"admin", "agent_in_queue"})),
    "ticket.updated": (accept_pending_ticket, frozenset({"admin", "agent_in_queue"})),
    # Only those who lost sight of it: the admin and the assignee still see it (they get ticket.updated).
    "ticket.removed": (transfer_to_other_queue, frozenset({"agent_in_queue"})),
    # A history line goes to whoever sees the ticket after the change.
    "ticket.event": (accept_pending_ticket, frozenset({"admin", "agent_in_queue"})),
    "message.created": (answer_guarded_ticket, frozenset({"admin", "agent_in_queue", "assignee"})),
    "message.updated": (retry_failed_message, frozenset({"admin", "agent_in_queue", "assignee"})),
    "contact.updated": (rename_contact, EVERYONE),
    "contact.removed": (delete_contact, EVERYONE),
    "connection.updated": (rename_connection, EVERYONE),
    "connection.deleted": (delete_connection, EVERYONE),
    "connection.qr": (show_qr_code, frozenset({"admin"})),
    "connection.pairing_code": (show_pairing_code, frozenset({"admin"})),
    "queue.created": (create_queue, EVERYONE),
    "queue.updated": (recolour_queue, EVERYONE),
    "queue.removed": (delete_queue, EVERYONE),
    # Only the person mentioned (here the assignee), and the same person's tabs when they read it.
    "notification.created": (mention_assignee_in_a_note, frozenset({"assignee"})),
    "notification.read": (read_notifications_of_assignee, frozenset({"assignee"})),
    # Its author's and the administrators'.
    "scheduled_message.updated": (assignee_schedules_a_message, frozenset({"admin", "assignee"})),
    "tag.created": (create_tag, EVERYONE),
    "tag.updated": (recolour_tag, EVERYONE),
    "tag.removed": (delete_tag, EVERYONE),
    "user.created": (create_user, frozenset({"admin"})),
    "user.updated": (rename_assignee, frozenset({"admin", "assignee"})),
    # Also to the deleted user's own room, whose sockets are closed.
    "user.removed": (delete_user, frozenset({"admin"})),
}


def test_every_event_a_browser_may_receive_has_its_recipients_listed() -> None:
    assert set(RECIPIENTS) == {kind.name for kind in BROWSER_EVENTS}


@pytest.mark.parametrize("name", sorted(RECIPIENTS))
async def test_each_event_reaches_exactly_its_recipients_live_and_when_catching_up(
    name: str, live_server: LiveServer, desk: Desk
) -> None:
    scenario, expected = RECIPIENTS[name]
    async with AsyncExitStack() as stack:
        sockets: dict[str, SocketEvents] = {
            persona: await stack.enter_async_context(live_server.socket(live_server.token(getattr(desk, persona))))
            for persona in PERSONAS
        }
        admin = await stack.enter_async_context(live_server.http(desk.admin))
        before = (await admin.get("/api/events")).json()["position"]

        await scenario(World(live_server, desk))
        await _barrier(live_server, desk)

        live = set()
        for persona, socket in sockets.items():
            await socket.wait_for(Barrier.name)
            if socket.named(name):
                live.add(persona)
        caught_up = set()
        for persona in PERSONAS:
            async with live_server.http(getattr(desk, persona)) as http:
                answer = (await http.get("/api/events", params={"after": before})).json()
            if any(event["name"] == name for event in answer["events"]):
                caught_up.add(persona)

    assert live == expected
    assert caught_up == expected


async def _barrier(live_server: LiveServer, desk: Desk) -> None:
    context = live_server.context
    async with unit_of_work(context.sessionmaker, context.publish) as session:
        for persona in PERSONAS:
            user_id = getattr(desk, persona).id
            record_event(session, Barrier(Removed(id=user_id), (user_room(user_id),)))
