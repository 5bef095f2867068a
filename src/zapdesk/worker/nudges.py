"""Which committed events should wake the workers, for any server: embedded (local channel) or scale-out (Redis).

A nudge only makes a worker look now instead of at its next heartbeat; the rows are the truth.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from zapdesk.connections.service import NUDGE_EVENT
from zapdesk.db.uow import DomainEvent, EventSink


@dataclass(frozen=True, slots=True)
class Nudge:
    outbox: bool  # also wake the outboxes: a message is waiting to be sent


Wake = Callable[[Nudge], Awaitable[None]]


def split_nudge(events: list[DomainEvent]) -> tuple[list[DomainEvent], Nudge | None]:
    """The events for browsers, and the nudge the batch calls for (None if no worker needs waking)."""
    public = [event for event in events if event.name != NUDGE_EVENT]
    outbox = any(_is_pending_send(event) for event in public)
    if outbox or len(public) != len(events):
        return public, Nudge(outbox=outbox)
    return public, None


def nudging_sink(publish: EventSink, wake: Wake) -> EventSink:
    """A server's sink: internal events wake the workers, the rest go to the sockets."""

    async def sink(events: list[DomainEvent]) -> None:
        public, nudge = split_nudge(events)
        if nudge is not None:
            await wake(nudge)
        if public:
            await publish(public)

    return sink


def _is_pending_send(event: DomainEvent) -> bool:
    return event.name in ("message.created", "message.updated") and event.payload.get("status") == "pending"
