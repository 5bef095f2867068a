"""With REDIS_URL, any process publishes to any server's sockets, and room re-checks reach every server; a batch
lost on the way still arrives, read back from the event log."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from tests.event_samples import connection_out, message_read, ticket_read
from tests.live_server import LiveServer, live_server_for
from tests.realtime.test_publishing import message_ids, post
from tests.realtime.test_rooms import rooms_of, set_queues
from tests.services import redis_url
from tests.tickets.factories import Desk, make_ticket
from zapdesk.config import Settings
from zapdesk.context import AppContext
from zapdesk.db.uow import record_event, unit_of_work
from zapdesk.events import ConnectionUpdated, MessageCreated
from zapdesk.realtime.publisher import RedisEventPublisher, events_channel
from zapdesk.tickets.models import TicketStatus


@pytest.fixture
def redis_settings(settings: Settings) -> Settings:
    # Channels are global to the Redis server: a prefix of our own keeps other test runs' events out.
    return settings.model_copy(update={"redis_url": redis_url(), "redis_prefix": f"test-{secrets.token_hex(6)}"})


@pytest.fixture
async def servers(context: AppContext, redis_settings: Settings) -> AsyncIterator[tuple[LiveServer, LiveServer]]:
    """Two server processes' apps on one database and one Redis, as `zapdesk api` twice would be."""
    contexts = [
        AppContext(settings=redis_settings, engine=context.engine, sessionmaker=context.sessionmaker) for _ in range(2)
    ]
    async with live_server_for(contexts[0]) as first, live_server_for(contexts[1]) as second:
        await wait_for_subscribers(redis_settings, events_channel(redis_settings), 2)
        yield first, second


async def wait_for_subscribers(settings: Settings, channel: str, count: int) -> None:
    """Until `count` listeners are subscribed to `channel` (servers subscribe in the background)."""
    redis = Redis.from_url(settings.redis_url)
    try:
        async with asyncio.timeout(5):
            while dict(await redis.pubsub_numsub(channel)).get(channel.encode(), 0) < count:
                await asyncio.sleep(0.02)
    finally:
        await redis.aclose()


async def test_message_posted_through_one_server_reaches_a_socket_on_the_other(
    servers: tuple[LiveServer, LiveServer], desk: Desk, redis_settings: Settings
) -> None:
    first, second = servers
    ticket = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue, status=TicketStatus.OPEN)
    hidden_ticket = await make_ticket(
        desk.context, connection=desk.connection, queue=desk.other_queue, status=TicketStatus.OPEN
    )
    async with (
        first.socket(first.token(desk.agent_in_queue)) as socket,
        second.socket(second.token(desk.admin)) as local_admin,
    ):
        hidden = await post(second, desk.admin, hidden_ticket, "not for this agent")
        posted = await post(second, desk.admin, ticket, "via the other server")
        received = await socket.wait_for("message.created", lambda m: m["id"] == posted["id"])
        await local_admin.wait_for("message.created", lambda m: m["id"] == posted["id"])
    assert received == posted
    assert message_ids(socket) == [posted["id"]]
    assert hidden["id"] not in message_ids(socket)
    # The publishing server delivers to its own sockets once, not again when its Redis message comes back.
    assert message_ids(local_admin) == [hidden["id"], posted["id"]]


async def test_a_worker_publisher_reaches_only_the_rooms_each_event_names(
    servers: tuple[LiveServer, LiveServer], desk: Desk, redis_settings: Settings, context: AppContext
) -> None:
    first, _second = servers
    publisher = RedisEventPublisher(redis_settings)
    try:
        async with first.socket(first.token(desk.agent_in_queue)) as socket:
            # What a standalone worker does: commit (the events get their positions), then publish through Redis.
            async with unit_of_work(context.sessionmaker, publisher) as session:
                theirs = ticket_read(1, queue_id=desk.other_queue.id)
                ours = ticket_read(2, queue_id=desk.queue.id)
                record_event(session, MessageCreated(message_read(1), theirs))
                record_event(session, MessageCreated(message_read(2), ours))
            await socket.wait_for("message.created", lambda m: m["id"] == 2)
    finally:
        await publisher.close()
    assert message_ids(socket) == [2]


async def test_events_whose_batch_never_came_are_read_back_before_the_next_one(
    servers: tuple[LiveServer, LiveServer], desk: Desk, context: AppContext
) -> None:
    first, _second = servers
    async with first.socket(first.token(desk.admin)) as socket:
        # Committed by a process that died before publishing: no server heard of these two.
        async with unit_of_work(context.sessionmaker) as session:
            record_event(session, ConnectionUpdated(connection_out(1)))
            record_event(session, ConnectionUpdated(connection_out(2)))
        async with unit_of_work(context.sessionmaker, first.context.publish) as session:
            record_event(session, ConnectionUpdated(connection_out(3)))
        await socket.wait_for("connection.updated", lambda c: c["id"] == 3)
    assert [c["id"] for c in socket.named("connection.updated")] == [1, 2, 3]
    logged = [seq for seq in socket.positions if seq is not None]  # presence events have no position
    first_seq = logged[0]
    assert logged == [first_seq, first_seq + 1, first_seq + 2]


async def test_user_update_committed_on_one_server_moves_their_socket_on_the_other(
    servers: tuple[LiveServer, LiveServer], desk: Desk
) -> None:
    first, second = servers
    agent = desk.agent_in_queue
    async with first.socket(first.token(agent)) as socket:
        await set_queues(second, agent, [desk.other_queue], announce=True)
        expected = {"agents", f"user:{agent.id}", f"queue:{desk.other_queue.id}"}
        async with asyncio.timeout(5):
            while rooms_of(first, socket.client.get_sid()) != expected:
                await asyncio.sleep(0.02)
