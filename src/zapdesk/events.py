"""The event contract: every domain and real-time event zapdesk publishes, its payload model, and who may
receive it. Each domain declares its own events beside its payloads (`zapdesk.<domain>.events`, on the audiences
of `zapdesk.db.audiences`), so a service records its events without importing the others; this module is the
contract as a whole. Consumers — the real-time server, the worker nudges, metrics, and later outgoing webhooks —
match on the type, never on a name string or a dict.

Who may receive an event is its `audience`, and its constructor computes the Socket.IO rooms from it, with the
one visibility rule of `zapdesk.tickets.access`: a browser receives an event, live or when catching up, only
through a room its user sits in (`user_rooms`). Events whose audience is `WORKERS` have no rooms: they only wake
the engine workers, are never logged and never reach a browser.

The browser's TypeScript types are generated from these payloads (through the OpenAPI document: see
`BrowserEvent`), so a change here is a change of the web app's contract: run `make types`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field, create_model

from zapdesk.connections.events import (
    ConnectionCommanded,
    ConnectionDeleted,
    ConnectionPairingCodeShown,
    ConnectionQrShown,
    ConnectionRef,
    ConnectionUpdated,
    PairingCodeShown,
    QrShown,
)
from zapdesk.contacts.events import ContactRemoved, ContactUpdated
from zapdesk.db.audiences import Audience, ContractEvent, ForAdmins, ForEveryone, ForSubject, ForWorkers, Removed
from zapdesk.db.events import Event
from zapdesk.messages.events import MessageCreated, MessageUpdated, SendQueued
from zapdesk.notifications.events import NotificationCreated, NotificationsRead
from zapdesk.queues.events import QueueCreated, QueueRemoved, QueueUpdated
from zapdesk.scheduled.events import ScheduledMessageUpdated
from zapdesk.tags.events import TagCreated, TagRemoved, TagUpdated
from zapdesk.tickets.events import ForTicketViewers, TicketCreated, TicketEventRecorded, TicketRemoved, TicketUpdated
from zapdesk.users.events import UserCreated, UserRemoved, UserUpdated

__all__ = [
    "BROWSER_EVENTS",
    "CONTRACT",
    "ENVELOPES",
    "Audience",
    "BrowserEvent",
    "ConnectionCommanded",
    "ConnectionDeleted",
    "ConnectionPairingCodeShown",
    "ConnectionQrShown",
    "ConnectionRef",
    "ConnectionUpdated",
    "ContactRemoved",
    "ContactUpdated",
    "ContractEvent",
    "ForAdmins",
    "ForEveryone",
    "ForSubject",
    "ForTicketViewers",
    "ForWorkers",
    "MessageCreated",
    "MessageUpdated",
    "NotificationCreated",
    "NotificationsRead",
    "PairingCodeShown",
    "QrShown",
    "QueueCreated",
    "QueueRemoved",
    "QueueUpdated",
    "Removed",
    "ScheduledMessageUpdated",
    "SendQueued",
    "TagCreated",
    "TagRemoved",
    "TagUpdated",
    "TicketCreated",
    "TicketEventRecorded",
    "TicketRemoved",
    "TicketUpdated",
    "UserCreated",
    "UserRemoved",
    "UserUpdated",
]

# --- the contract as a whole ----------------------------------------------------------------------------------------

CONTRACT: tuple[type[ContractEvent[Any]], ...] = (
    TicketCreated,
    TicketUpdated,
    TicketRemoved,
    TicketEventRecorded,
    MessageCreated,
    MessageUpdated,
    SendQueued,
    ContactUpdated,
    ContactRemoved,
    ConnectionUpdated,
    ConnectionDeleted,
    ConnectionQrShown,
    ConnectionPairingCodeShown,
    ConnectionCommanded,
    QueueCreated,
    QueueUpdated,
    QueueRemoved,
    TagCreated,
    TagUpdated,
    TagRemoved,
    UserCreated,
    UserUpdated,
    UserRemoved,
    NotificationCreated,
    NotificationsRead,
    ScheduledMessageUpdated,
)

BROWSER_EVENTS = tuple(kind for kind in CONTRACT if kind.audience is not Audience.WORKERS)


def _envelope(kind: type[Event[Any]]) -> type[BaseModel]:
    """The JSON a browser receives for `kind`, live (Socket.IO event "event") or when catching up."""
    name: Any = Literal[kind.name]
    model: type[BaseModel] = create_model(
        kind.__name__,
        __doc__=kind.__doc__,
        seq=(int, Field(description="The event's position: ask for events after the last one you applied.")),
        name=(name, ...),
        payload=(kind.payload_type, ...),
    )
    return model


ENVELOPES: dict[str, type[BaseModel]] = {kind.name: _envelope(kind) for kind in BROWSER_EVENTS}

# Any event a browser may receive; its `name` tells which (a discriminated union in OpenAPI and TypeScript).
BrowserEvent = Annotated[Union[tuple(ENVELOPES.values())], Field(discriminator="name")]  # type: ignore[valid-type]  # noqa: UP007
