"""A socket's rooms follow its user: queue membership changes move it, a deleted user's socket is closed."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from tests.live_server import LiveServer
from tests.realtime.test_publishing import message_ids, post
from tests.tickets.factories import Desk, make_ticket
from zapdesk.db.uow import record_event, unit_of_work
from zapdesk.events import QueueRemoved, Removed, UserRemoved, UserUpdated
from zapdesk.queues.models import Queue
from zapdesk.tickets.models import TicketStatus
from zapdesk.users.models import User
from zapdesk.users.schemas import UserRead


def rooms_of(live_server: LiveServer, sid: str | None) -> set[str]:
    return set(live_server.assembled.realtime.sio.rooms(sid)) - {sid}


async def set_queues(live_server: LiveServer, user: User, queues: list[Queue], *, announce: bool) -> None:
    """Change `user`'s queues in one transaction; with `announce`, record the `user.updated` event too."""
    context = live_server.context
    async with unit_of_work(context.sessionmaker, context.publish) as session:
        stored = (
            await session.execute(select(User).where(User.id == user.id).options(selectinload(User.queues)))
        ).scalar_one()
        stored.queues = [await session.merge(queue) for queue in queues]
        if announce:
            record_event(session, UserUpdated(UserRead.of(stored)))


async def test_committed_user_update_moves_the_socket_out_of_a_queue_it_left(
    live_server: LiveServer, desk: Desk
) -> None:
    in_queue = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue, status=TicketStatus.OPEN)
    unqueued = await make_ticket(desk.context, connection=desk.connection)  # pending, no queue: every agent
    agent = desk.agent_in_queue
    async with live_server.socket(live_server.token(agent)) as socket:
        await set_queues(live_server, agent, [desk.other_queue], announce=True)
        assert rooms_of(live_server, socket.client.get_sid()) == {
            "agents",
            f"user:{agent.id}",
            f"queue:{desk.other_queue.id}",
        }
        hidden = await post(live_server, desk.admin, in_queue, "no longer yours")
        barrier = await post(live_server, desk.admin, unqueued, "still everyone's")
        await socket.wait_for("message.created", lambda m: m["id"] == barrier["id"])
    assert hidden["id"] not in message_ids(socket)


async def test_resync_user_puts_the_socket_in_a_queue_it_joined(live_server: LiveServer, desk: Desk) -> None:
    ticket = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue, status=TicketStatus.OPEN)
    agent = desk.agent_not_in_queue
    async with live_server.socket(live_server.token(agent)) as socket:
        await set_queues(live_server, agent, [desk.queue, desk.other_queue], announce=False)
        await live_server.assembled.realtime.resync_user(agent.id)
        posted = await post(live_server, desk.admin, ticket, "now yours too")
        received = await socket.wait_for("message.created", lambda m: m["id"] == posted["id"])
    assert received == posted


async def test_committed_user_removal_disconnects_their_sockets(live_server: LiveServer, desk: Desk) -> None:
    agent = desk.agent_in_queue
    context = live_server.context
    async with live_server.socket(live_server.token(agent)) as socket:
        async with unit_of_work(context.sessionmaker, context.publish) as session:
            await session.execute(delete(User).where(User.id == agent.id))
            record_event(session, UserRemoved(agent.id))
        await socket.wait_disconnected()
        assert not socket.client.connected


async def test_committed_queue_removal_empties_its_room(live_server: LiveServer, desk: Desk) -> None:
    agent = desk.agent_in_queue
    context = live_server.context
    async with live_server.socket(live_server.token(agent)) as socket:
        async with unit_of_work(context.sessionmaker, context.publish) as session:
            await session.execute(delete(Queue).where(Queue.id == desk.queue.id))
            record_event(session, QueueRemoved(Removed(id=desk.queue.id)))
        assert rooms_of(live_server, socket.client.get_sid()) == {"agents", f"user:{agent.id}"}
