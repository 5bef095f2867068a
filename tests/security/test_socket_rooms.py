"""Socket.IO rooms: a socket sits in exactly the rooms of its user, cannot talk its way into others, and an
event reaches a socket only through a room its user may see.

Every room kind the server publishes to is probed (`admins`, `agents`, `queue:{id}`, `user:{id}`), for every
kind of user of the desk. Sockets receive in publishing order, so a final event to each socket's own room is the
barrier after which "nothing else arrived" holds.
"""

from __future__ import annotations

from contextlib import AsyncExitStack

from tests.live_server import LiveServer, SocketEvents
from tests.realtime.test_publishing import post
from tests.tickets.factories import Desk, make_ticket
from zapdesk.db.events import Event
from zapdesk.db.uow import record_event, unit_of_work
from zapdesk.events import Removed
from zapdesk.realtime.rooms import ADMINS, AGENTS, queue_room, user_room, user_rooms
from zapdesk.tickets.models import TicketStatus
from zapdesk.users.models import User


class RoomProbe(Event[Removed]):
    """Published to one room: who hears it is who sits in that room."""

    name = "test.room_probe"


class Barrier(Event[Removed]):
    name = "test.barrier"


PROBE, BARRIER = RoomProbe.name, Barrier.name
# What a client might try to join rooms with; the server has no such handlers and must ignore them.
JOIN_ATTEMPTS = ("join", "enter_room", "join_room", "subscribe")


def rooms_of(live_server: LiveServer, socket: SocketEvents) -> set[str]:
    sid = socket.client.get_sid()
    return set(live_server.assembled.realtime.sio.rooms(sid)) - {sid}


async def test_each_socket_hears_exactly_the_rooms_of_its_user(live_server: LiveServer, desk: Desk) -> None:
    users: list[User] = [desk.admin, desk.agent_in_queue, desk.agent_not_in_queue, desk.assignee]
    every_room = [ADMINS, AGENTS, queue_room(desk.queue.id), queue_room(desk.other_queue.id)]
    every_room += [user_room(user.id) for user in users]
    async with AsyncExitStack() as stack:
        sockets = [await stack.enter_async_context(live_server.socket(live_server.token(user))) for user in users]
        for socket in sockets:
            for attempt in JOIN_ATTEMPTS:
                for room in every_room:
                    await socket.client.emit(attempt, {"room": room})
                    await socket.client.emit(attempt, room)

        context = live_server.context
        async with unit_of_work(context.sessionmaker, context.publish) as session:
            for index, room in enumerate(every_room):
                record_event(session, RoomProbe(Removed(id=index), (room,)))
            for user in users:
                record_event(session, Barrier(Removed(id=user.id), (user_room(user.id),)))

        for user, socket in zip(users, sockets, strict=True):
            await socket.wait_for(BARRIER)
            assert rooms_of(live_server, socket) == set(user_rooms(user)), user.name
            heard = {every_room[payload["id"]] for payload in socket.named(PROBE)}
            assert heard == set(user_rooms(user)), user.name
            assert len(socket.named(PROBE)) == len(heard)  # once each


async def test_no_event_about_a_ticket_outside_the_agents_scope_reaches_their_socket(
    live_server: LiveServer, desk: Desk
) -> None:
    # In `queue`, assigned to `assignee`: `agent_not_in_queue` (who serves `other_queue`) may not see it.
    hidden = await desk.guarded_ticket()
    theirs = await make_ticket(
        desk.context, connection=desk.connection, queue=desk.other_queue, status=TicketStatus.OPEN
    )
    async with live_server.socket(live_server.token(desk.agent_not_in_queue)) as socket:
        await post(live_server, desk.admin, hidden, "mensagem escondida")
        async with live_server.http(desk.admin) as http:
            for change in ({"assignee_id": desk.agent_in_queue.id}, {"action": "close"}, {"action": "reopen"}):
                response = await http.patch(f"/api/tickets/{hidden.id}", json=change)
                assert response.status_code == 200, response.text
            contact = await http.patch(f"/api/contacts/{hidden.contact_id}", json={"name": "Renomeado"})
            assert contact.status_code == 200
        barrier = await post(live_server, desk.admin, theirs, "para a outra fila")
        await socket.wait_for("message.created", lambda payload: payload["id"] == barrier["id"])

    about_hidden = [
        (name, payload)
        for name, payload in socket.received
        if (name.startswith("ticket.") and payload.get("id") == hidden.id)
        or (name.startswith("message.") and payload.get("ticket_id") == hidden.id)
    ]
    assert about_hidden == []
    # Contacts are shared by every signed-in user: that event does arrive (the rule is about tickets).
    assert any(payload.get("id") == hidden.contact_id for payload in socket.named("contact.updated"))
