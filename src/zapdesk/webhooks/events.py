"""Which committed events become outgoing webhooks, and in which order each must arrive.

`webhook_events` is the one place that reads event names: when the typed event contract lands (issue 11), it
matches on the event types instead, and nothing else here changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from zapdesk.db.uow import DomainEvent

MESSAGE_CREATED, MESSAGE_UPDATED = "message.created", "message.updated"
TICKET_CREATED, TICKET_UPDATED = "ticket.created", "ticket.updated"
CONTACT_UPDATED, CONNECTION_UPDATED = "contact.updated", "connection.updated"
EVENT_TYPES = (MESSAGE_CREATED, MESSAGE_UPDATED, TICKET_CREATED, TICKET_UPDATED, CONTACT_UPDATED, CONNECTION_UPDATED)


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    type: str
    # Events with the same key reach an endpoint in the order they happened: a ticket's messages and changes.
    ordering_key: str
    data: dict[str, Any]


def webhook_events(events: Sequence[DomainEvent]) -> list[WebhookEvent]:
    """The outgoing-webhook events among those a transaction committed, in commit order."""
    found = []
    for event in events:
        payload = event.payload
        if event.name in (MESSAGE_CREATED, MESSAGE_UPDATED):
            key = f"ticket:{payload['ticket_id']}"
        elif event.name in (TICKET_CREATED, TICKET_UPDATED):
            key = f"ticket:{payload['id']}"
        elif event.name == CONTACT_UPDATED:
            key = f"contact:{payload['id']}"
        elif event.name == CONNECTION_UPDATED:
            key = f"connection:{payload['id']}"
        else:
            continue
        found.append(WebhookEvent(event.name, key, payload))
    return found
