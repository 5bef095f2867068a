"""A worker process: `zapdesk worker`. Embedded (a child of `zapdesk run`, talking over an inherited socket) or
standalone for scale-out (nudged and publishing through Redis)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket

from zapdesk.config import Settings
from zapdesk.context import AppContext
from zapdesk.kit.heap import settle_heap
from zapdesk.metrics.recorder import MetricsFlusher
from zapdesk.worker.channel import NUDGE, Channel, ChannelSink, metrics_message, nudge_from_message
from zapdesk.worker.pipeline import worker_parts
from zapdesk.worker.supervisor import SETTINGS_ENV
from zapdesk.worker.worker import Worker

log = logging.getLogger(__name__)


def settings_for_worker() -> Settings:
    """A child gets its parent's exact settings; a standalone worker reads the environment like any process."""
    inherited = os.environ.pop(SETTINGS_ENV, None)
    if inherited is not None:
        return Settings.model_validate(json.loads(inherited))
    return Settings()


async def run_embedded_worker(settings: Settings, owner: str, channel_fd: int) -> None:
    context = AppContext.from_settings(settings)
    channel = await Channel.open(socket.socket(fileno=channel_fd))
    worker = Worker(owner, *worker_parts(settings, context.sessionmaker, ChannelSink(channel), context.clock))
    stop = stop_on_signals()
    flusher = MetricsFlusher(lambda tally: channel.send(metrics_message(tally)))

    async def listen() -> None:
        while (message := await channel.receive()) is not None:
            if message.get("type") == NUDGE:
                worker.nudge(nudge_from_message(message))
        # The server is gone: a worker never outlives it holding sessions.
        stop.set()

    listener = asyncio.create_task(listen())
    flusher.start()
    settle_heap()
    try:
        await worker.run(stop)
    finally:
        listener.cancel()
        await flusher.close()
        await channel.close()
        await context.close()


def stop_on_signals() -> asyncio.Event:
    """Set on SIGTERM or SIGINT: the worker then stops its sessions (keeping their keys) and frees its leases."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    return stop
