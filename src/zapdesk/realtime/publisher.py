"""Sending committed domain events to their rooms: from the Socket.IO server, or from any process through Redis."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Protocol

import socketio
from pydantic_core import to_jsonable_python

from zapdesk.config import Settings
from zapdesk.db.uow import DomainEvent

log = logging.getLogger(__name__)


def socketio_channel(settings: Settings) -> str:
    """The Redis channel python-socketio's managers share; every process of a deployment derives the same one."""
    return f"{settings.redis_prefix}:socketio"


class RoomEmitter(Protocol):
    """What `socketio.AsyncServer` and a write-only `socketio.AsyncRedisManager` have in common."""

    async def emit(self, event: str, data: Any = None, *, to: list[str]) -> Any: ...


async def emit_events(emitter: RoomEmitter, events: list[DomainEvent]) -> None:
    """Emit each event once to the union of its rooms; a socket in several of them still gets it once.

    This runs after the commit: a failure here must not turn a saved change into an error for the caller,
    so it is logged and the client catches up through GET /api/sync when it notices.
    """
    for event in events:
        if not event.rooms:
            # Events without rooms are for the server itself (worker nudges): never broadcast to every socket.
            log.debug("event %s has no rooms: not sent to sockets", event.name)
            continue
        try:
            await emitter.emit(event.name, to_jsonable_python(event.payload), to=sorted(set(event.rooms)))
        except Exception:
            log.exception("could not publish event %s", event.name)


class RedisEventPublisher:
    """An `EventSink` for processes that hold no sockets (workers, scripts): it reaches every server's clients.

    The servers must run with the same `REDIS_URL` and `REDIS_PREFIX` (their managers listen on that channel).
    """

    def __init__(self, settings: Settings) -> None:
        if not settings.redis_url:
            raise ValueError("REDIS_URL is needed to publish events from a process without sockets.")
        self.manager = socketio.AsyncRedisManager(
            settings.redis_url, channel=socketio_channel(settings), write_only=True
        )

    async def __call__(self, events: list[DomainEvent]) -> None:
        await emit_events(self.manager, events)

    async def close(self) -> None:
        await close_redis_manager(self.manager)


async def close_redis_manager(manager: Any) -> None:
    """python-socketio has no public close for its Redis manager: stop its listener and drop its connection."""
    listener: asyncio.Task[None] | None = getattr(manager, "thread", None)
    if listener is not None:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener
    redis = getattr(manager, "redis", None)
    if redis is not None:
        await redis.aclose()
