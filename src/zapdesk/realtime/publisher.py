"""How committed events travel to browsers: the one Socket.IO event they arrive as, and the Redis channel that
carries them between the processes of a scale-out deployment."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis

from zapdesk.config import Settings
from zapdesk.db.events import Published

log = logging.getLogger(__name__)

# Every event reaches a browser as this one Socket.IO event, `{"seq", "name", "payload"}` (`BrowserEvent`).
SOCKET_EVENT = "event"


def envelope(item: Published) -> dict[str, Any]:
    """What a browser receives for a logged event, live or when catching up."""
    return {"seq": item.seq, "name": item.event.name, "payload": item.event.data}


def events_channel(settings: Settings) -> str:
    """The Redis channel on which every process of a deployment publishes its committed events."""
    return f"{settings.redis_prefix}:events"


def batch_message(events: Sequence[Published]) -> str | None:
    """One Redis message for a committed batch (None when none of it is for browsers)."""
    logged = [item.to_wire() for item in events if item.seq is not None]
    return json.dumps(logged, separators=(",", ":")) if logged else None


def batch_from_message(data: bytes | str) -> list[Published]:
    return [Published.from_wire(item) for item in json.loads(data)]


class RedisEventPublisher:
    """An `EventSink` for processes that hold no sockets (standalone workers): every API process receives the
    batch on `events_channel`. A batch lost here still reaches browsers: the API processes read it back from the
    event log when the next one arrives (`zapdesk.realtime.relay`)."""

    def __init__(self, settings: Settings) -> None:
        if not settings.redis_url:
            raise ValueError("REDIS_URL is needed to publish events from a process without sockets.")
        self.redis = Redis.from_url(settings.redis_url)
        self.channel = events_channel(settings)

    async def __call__(self, events: Sequence[Published]) -> None:
        await publish_batch(self.redis, self.channel, events)

    async def close(self) -> None:
        await self.redis.aclose()


async def publish_batch(redis: Redis, channel: str, events: Sequence[Published]) -> None:
    """Runs after the commit: a failure must not turn a saved change into an error, so it is logged."""
    message = batch_message(events)
    if message is None:
        return
    try:
        await redis.publish(channel, message)
    except Exception:
        log.exception("could not publish %d events to the other processes", len(events))
