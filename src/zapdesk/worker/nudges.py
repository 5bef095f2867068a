"""Which committed events should wake the workers, for any server: embedded (local channel) or scale-out (Redis).

A nudge only makes a worker look now instead of at its next heartbeat; the rows are the truth. It names the
connections concerned, so a worker holding a thousand sessions wakes the one outbox that has a message to send
and reconciles the one session that was commanded, not all of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

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
    # Connections with a message or action queued: wake their outboxes.
    sends: frozenset[int] = field(default_factory=frozenset)
    # Connections given a command (connect, restart, logout, delete): reconcile them now.
    commands: frozenset[int] = field(default_factory=frozenset)
    # Something automation reacts to was committed.
    automation: bool = False
    # Nudges may have been missed (a listener resubscribed): look at every session now.
    everything: bool = False

    def to_wire(self) -> dict[str, Any]:
        return {
            "sends": sorted(self.sends),
            "commands": sorted(self.commands),
            "automation": self.automation,
            "everything": self.everything,
        }

    @classmethod
    def from_wire(cls, body: dict[str, Any]) -> Nudge:
        """Also reads the nudges of earlier versions (`{"outbox": true}` for any outbox), which a process not yet
        upgraded may still send during a rolling deploy: those look at everything."""
        return cls(
            sends=frozenset(int(connection_id) for connection_id in body.get("sends", ())),
            commands=frozenset(int(connection_id) for connection_id in body.get("commands", ())),
            automation=bool(body.get("automation")),
            everything=bool(body.get("everything")) or "outbox" in body,
        )


Wake = Callable[[Nudge], Awaitable[None]]


def split_nudge(events: Sequence[Published]) -> tuple[list[Published], Nudge | None]:
    """The events for browsers, and the nudge the batch calls for (None if no worker needs waking)."""
    public = [item for item in events if item.event.for_browsers]
    nudge = Nudge(
        sends=_connections(events, SendQueued),
        commands=_connections(events, ConnectionCommanded),
        automation=wakes_automation(events),
    )
    if nudge.sends or nudge.commands or nudge.automation:
        return public, nudge
    return public, None


def queued_sends(events: Sequence[Published]) -> frozenset[int]:
    """The connections that have a message or action to send since these events."""
    return _connections(events, SendQueued)


def _connections(events: Sequence[Published], kind: type[SendQueued] | type[ConnectionCommanded]) -> frozenset[int]:
    return frozenset(item.event.payload.connection_id for item in events if isinstance(item.event, kind))


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
