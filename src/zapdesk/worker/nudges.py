"""Which committed events should wake the workers, for any server: embedded (local channel) or scale-out (Redis).

A nudge only makes a worker look now instead of at its next heartbeat; the rows are the truth.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from zapdesk.db.events import EventSink, Published
from zapdesk.events import (
    ConnectionCommanded,
    MessageCreated,
    ScheduledMessageUpdated,
    SendQueued,
    TicketCreated,
    TicketUpdated,
)

# What automation reacts to (in the event log), or fires (a scheduled message).
_AUTOMATION_EVENTS = (TicketCreated, TicketUpdated, MessageCreated, ScheduledMessageUpdated)


@dataclass(frozen=True, slots=True)
class Nudge:
    outbox: bool  # also wake the outboxes: a message is waiting to be sent
    automation: bool = False  # also wake automation: something it reacts to was committed


Wake = Callable[[Nudge], Awaitable[None]]


def split_nudge(events: Sequence[Published]) -> tuple[list[Published], Nudge | None]:
    """The events for browsers, and the nudge the batch calls for (None if no worker needs waking)."""
    public = [item for item in events if item.event.for_browsers]
    outbox = any(isinstance(item.event, SendQueued) for item in events)
    automation = wakes_automation(events)
    if outbox or automation or any(isinstance(item.event, ConnectionCommanded) for item in events):
        return public, Nudge(outbox=outbox, automation=automation)
    return public, None


def wakes_automation(events: Sequence[Published]) -> bool:
    return any(isinstance(item.event, _AUTOMATION_EVENTS) for item in events)


def nudging_sink(publish: EventSink, wake: Wake) -> EventSink:
    """A server's sink: internal events wake the workers, the rest go to the sockets."""

    async def sink(events: Sequence[Published]) -> None:
        public, nudge = split_nudge(events)
        if nudge is not None:
            await wake(nudge)
        if public:
            await publish(public)

    return sink
