"""Counting in a worker and shipping the counts: nothing lost when shipping fails, duplicates never counted."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import pytest

from tests.event_samples import message_read, ticket_read
from tests.services import redis_url
from zapdesk.db.events import Published
from zapdesk.events import MessageCreated, MessageUpdated, TicketCreated
from zapdesk.kit.redis import command_client
from zapdesk.messages.models import MessageStatus
from zapdesk.metrics import recorder
from zapdesk.metrics.store import RedisMetricsStore
from zapdesk.metrics.tally import Counter, Tally


@pytest.fixture(autouse=True)
def _empty_recorder() -> None:
    recorder.take()  # counts other tests in this process left behind


async def test_counting_sink_counts_customers_messages_once_each_and_passes_every_event_on() -> None:
    passed: list[Published] = []

    async def sink(events: Sequence[Published]) -> None:
        passed.extend(events)

    ticket = ticket_read()
    events = [
        Published(1, MessageCreated(message_read(1, from_me=False), ticket)),
        Published(2, MessageCreated(message_read(2, from_me=True, status=MessageStatus.PENDING), ticket)),  # greeting
        Published(3, MessageUpdated(message_read(1, from_me=False, status=MessageStatus.READ), ticket)),
        Published(4, TicketCreated(ticket)),
    ]
    await recorder.counting_sink(sink)(events)

    assert passed == events
    assert recorder.take().counters == {Counter.MESSAGES_RECEIVED: 1}


async def test_flusher_ships_what_was_counted_and_keeps_it_when_shipping_fails() -> None:
    shipped: list[Tally] = []
    failing = True

    async def ship(tally: Tally) -> None:
        if failing:
            raise ConnectionError("redis is down")
        shipped.append(tally)

    flusher = recorder.MetricsFlusher(ship)
    recorder.count(Counter.MESSAGES_SENT)
    recorder.observe_ingest(0.01)
    await flusher.flush()
    assert shipped == []

    failing = False
    recorder.count(Counter.MESSAGES_SENT)
    await flusher.flush()
    await flusher.flush()  # nothing new: nothing shipped

    assert len(shipped) == 1
    assert shipped[0].counters == {Counter.MESSAGES_SENT: 2}
    assert shipped[0].ingest_count == 1


async def test_redis_store_adds_every_workers_counts_into_one_total() -> None:
    redis = command_client(redis_url())
    store = RedisMetricsStore(redis, f"test-{secrets.token_hex(6)}:metrics")
    try:
        for received in (2, 3):
            tally = Tally()
            tally.count(Counter.MESSAGES_RECEIVED, received)
            tally.observe_ingest(0.5)
            await store.add(tally)

        total = await store.read()
    finally:
        await redis.delete(store.key)
        await redis.aclose()

    assert total.counters == {Counter.MESSAGES_RECEIVED: 5}
    assert total.ingest_count == 2 and total.ingest_sum == 1.0
