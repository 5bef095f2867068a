"""Which committed events become outgoing webhooks, and in which order each must arrive.

`webhook_events` is the one place that says it: it matches on the event types of the contract
(`zapdesk.events`), and gives each webhook the key of what it is about, so that a ticket's events (its messages
and its own changes) reach an endpoint in the order they happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from zapdesk.db.events import Published
from zapdesk.events import (
    ConnectionUpdated,
    ContactUpdated,
    MessageCreated,
    MessageUpdated,
    TicketCreated,
    TicketUpdated,
)

WEBHOOK_EVENTS = (MessageCreated, MessageUpdated, TicketCreated, TicketUpdated, ContactUpdated, ConnectionUpdated)
EVENT_TYPES = tuple(kind.name for kind in WEBHOOK_EVENTS)


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    type: str
    # Events with the same key reach an endpoint in the order they happened: a ticket's messages and changes.
    ordering_key: str
    data: dict[str, Any]


def webhook_events(published: Sequence[Published]) -> list[WebhookEvent]:
    """The outgoing-webhook events among those a transaction committed, in commit order."""
    found = []
    for item in published:
        event = item.event
        if isinstance(event, MessageCreated | MessageUpdated):
            key = f"ticket:{event.payload.ticket_id}"
        elif isinstance(event, TicketCreated | TicketUpdated):
            key = f"ticket:{event.payload.id}"
        elif isinstance(event, ContactUpdated):
            key = f"contact:{event.payload.id}"
        elif isinstance(event, ConnectionUpdated):
            key = f"connection:{event.payload.id}"
        else:
            continue
        found.append(WebhookEvent(event.name, key, event.data))
    return found
