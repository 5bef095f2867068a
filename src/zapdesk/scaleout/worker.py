"""`zapdesk worker` on its own: holds a share of the WhatsApp sessions through leases, next to any number of
API processes and other workers. Events go out through Redis; nudges come in through Redis; counts go to the
shared metrics hash. On SIGTERM it stops its sessions (keeping their keys) and frees its leases, so another
worker resumes them at once rather than after LEASE_SECONDS.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from zapdesk.config import Settings
from zapdesk.context import AppContext
from zapdesk.kit.heap import settle_heap
from zapdesk.kit.redis import command_client, subscriber_client
from zapdesk.metrics.recorder import MetricsFlusher
from zapdesk.metrics.store import RedisMetricsStore, metrics_key
from zapdesk.realtime.publisher import RedisEventPublisher
from zapdesk.scaleout.nudges import listen_for_nudges, nudges_channel
from zapdesk.worker.main import stop_on_signals
from zapdesk.worker.pipeline import worker_parts
from zapdesk.worker.worker import Worker

log = logging.getLogger(__name__)


async def run_standalone_worker(settings: Settings, owner: str) -> None:
    """`settings` must come from `worker_settings` (PostgreSQL and Redis configured)."""
    context = AppContext.from_settings(settings)
    publisher = RedisEventPublisher(settings)
    commands = command_client(settings.redis_url)
    subscriber = subscriber_client(settings.redis_url)
    worker = Worker(owner, *worker_parts(settings, context.sessionmaker, publisher, context.clock))
    flusher = MetricsFlusher(RedisMetricsStore(commands, metrics_key(settings)).add)
    stop = stop_on_signals()

    listener = asyncio.create_task(
        listen_for_nudges(subscriber, nudges_channel(settings), worker.nudge, clock=context.clock)
    )
    flusher.start()
    settle_heap()
    log.info(
        "worker %s started (lease %.0f s, up to %d sessions)",
        owner,
        settings.lease_seconds,
        settings.max_sessions_per_worker,
    )
    try:
        await worker.run(stop)
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener
        await flusher.close()
        await publisher.close()
        await commands.aclose()
        await subscriber.aclose()
        await context.close()
        log.info("worker %s stopped; its leases are free", owner)
