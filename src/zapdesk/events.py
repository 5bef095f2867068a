"""The event contract: every domain and real-time event zapdesk publishes, its payload model, and who may
receive it. Services record these types (`zapdesk.db.uow.record_event`); consumers — the real-time server, the
worker nudges, metrics, and later outgoing webhooks — match on the type, never on a name string or a dict.

Who may receive an event is its `audience`, and its constructor computes the Socket.IO rooms from it, with the
one visibility rule of `zapdesk.tickets.access`: a browser receives an event, live or when catching up, only
through a room its user sits in (`user_rooms`). Events whose audience is `WORKERS` have no rooms: they only wake
the engine workers, are never logged and never reach a browser.

The browser's TypeScript types are generated from these payloads (through the OpenAPI document: see
`BrowserEvent`), so a change here is a change of the web app's contract: run `make types`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal, TypeVar, Union

from pydantic import BaseModel, Field, create_model

from zapdesk.connections.schemas import ConnectionOut, PairingCodeOut, QrOut
from zapdesk.contacts.schemas import ContactRead
from zapdesk.db.events import Event
from zapdesk.messages.schemas import MessageRead
from zapdesk.notifications.schemas import NotificationIds, NotificationRead
from zapdesk.queues.schemas import QueueRead
from zapdesk.scheduled.schemas import ScheduledRead
from zapdesk.tags.schemas import TagRead
from zapdesk.tickets.access import ADMINS_ROOM, EVERYONE_ROOMS, TicketScope, ticket_rooms, user_room
from zapdesk.tickets.history.schemas import TicketEventRead
from zapdesk.tickets.schemas import TicketRead
from zapdesk.users.schemas import UserRead

P = TypeVar("P", bound=BaseModel)


class Audience(StrEnum):
    """Who may receive an event; each maps to rooms through `zapdesk.tickets.access`."""

    TICKET_VIEWERS = "ticket_viewers"  # whoever may see the ticket now: admins, its queue, its assignee
    FORMER_TICKET_VIEWERS = "former_ticket_viewers"  # those who saw the ticket before a change and no longer may
    EVERYONE = "everyone"  # every signed-in user
    ADMINS = "admins"
    ADMINS_AND_SUBJECT = "admins_and_subject"  # admins and the user the event is about
    SUBJECT = "subject"  # only the user the event is for (their own notifications)
    WORKERS = "workers"  # no browser: it wakes the engine workers


# --- payloads that exist only as events ------------------------------------------------------------------------


class Removed(BaseModel):
    """Only the id of what is gone (or what the receiver may no longer see)."""

    id: int


class QrShown(QrOut):
    id: int = Field(description="The connection's id.")


class PairingCodeShown(PairingCodeOut):
    id: int = Field(description="The connection's id.")


class ConnectionRef(BaseModel):
    connection_id: int


# --- the kinds of audience ---------------------------------------------------------------------------------------


class ContractEvent(Event[P]):
    """An event of this contract: every one declares who may receive it."""

    audience: ClassVar[Audience]


class ForTicketViewers(ContractEvent[P]):
    audience: ClassVar[Audience] = Audience.TICKET_VIEWERS

    def __init__(self, payload: P, ticket: TicketScope) -> None:
        super().__init__(payload, ticket_rooms(ticket))


class ForEveryone(ContractEvent[P]):
    audience: ClassVar[Audience] = Audience.EVERYONE

    def __init__(self, payload: P) -> None:
        super().__init__(payload, EVERYONE_ROOMS)


class ForAdmins(ContractEvent[P]):
    audience: ClassVar[Audience] = Audience.ADMINS

    def __init__(self, payload: P) -> None:
        super().__init__(payload, (ADMINS_ROOM,))


class ForSubject(ContractEvent[P]):
    audience: ClassVar[Audience] = Audience.SUBJECT

    def __init__(self, payload: P, user_id: int) -> None:
        super().__init__(payload, (user_room(user_id),))


class ForWorkers(ContractEvent[P]):
    audience: ClassVar[Audience] = Audience.WORKERS

    def __init__(self, payload: P) -> None:
        super().__init__(payload, ())


# --- tickets and messages ------------------------------------------------------------------------------------------


class TicketCreated(ForTicketViewers[TicketRead]):
    """A ticket was opened: by a customer's first message, or by an agent writing first."""

    name = "ticket.created"

    def __init__(self, payload: TicketRead) -> None:
        super().__init__(payload, payload)


class TicketUpdated(ForTicketViewers[TicketRead]):
    """A ticket changed (status, assignee, queue, preview, unread count): its whole new state."""

    name = "ticket.updated"

    def __init__(self, payload: TicketRead) -> None:
        super().__init__(payload, payload)


class TicketRemoved(ContractEvent[Removed]):
    """Drop this ticket: those who could see it no longer may (a transfer, a deletion). Only its id."""

    name = "ticket.removed"
    audience: ClassVar[Audience] = Audience.FORMER_TICKET_VIEWERS

    def __init__(self, ticket_id: int, lost_rooms: tuple[str, ...]) -> None:
        super().__init__(Removed(id=ticket_id), lost_rooms)


class TicketEventRecorded(ForTicketViewers[TicketEventRead]):
    """A line was added to a ticket's history (accepted, transferred, closed, …): the chat shows it."""

    name = "ticket.event"


class MessageCreated(ForTicketViewers[MessageRead]):
    """A message was stored in a ticket: received, typed by an agent, or automatic."""

    name = "message.created"


class MessageUpdated(ForTicketViewers[MessageRead]):
    """A message changed: its delivery status, an edit, a reaction, a deletion."""

    name = "message.updated"


class SendQueued(ForWorkers[ConnectionRef]):
    """An outbound message waits to be sent on this connection: wake the outboxes."""

    name = "internal.send_queued"


# --- contacts ------------------------------------------------------------------------------------------------------


class ContactUpdated(ForEveryone[ContactRead]):
    """A contact was created or changed (every signed-in user may see contacts)."""

    name = "contact.updated"


class ContactRemoved(ForEveryone[Removed]):
    name = "contact.removed"


# --- connections ----------------------------------------------------------------------------------------------------


class ConnectionUpdated(ForEveryone[ConnectionOut]):
    """A connection changed: its status (with the reason), settings, phone."""

    name = "connection.updated"


class ConnectionDeleted(ForEveryone[Removed]):
    name = "connection.deleted"


class ConnectionQrShown(ForAdmins[QrShown]):
    """A new QR code to scan (they rotate within one window)."""

    name = "connection.qr"


class ConnectionPairingCodeShown(ForAdmins[PairingCodeShown]):
    """The code to type on the phone when linking by phone number instead of a QR code."""

    name = "connection.pairing_code"


class ConnectionCommanded(ForWorkers[ConnectionRef]):
    """A person asked a connection to connect, restart, log out or stop: wake the worker that holds it."""

    name = "internal.connection_commanded"


# --- queues and users ----------------------------------------------------------------------------------------------


class QueueCreated(ForEveryone[QueueRead]):
    """Every signed-in user lists queues (filters, the transfer dialog)."""

    name = "queue.created"


class QueueUpdated(ForEveryone[QueueRead]):
    name = "queue.updated"


class QueueRemoved(ForEveryone[Removed]):
    """A queue is gone; the real-time server also empties its room (a new queue may get its id)."""

    name = "queue.removed"


class TagCreated(ForEveryone[TagRead]):
    """Every signed-in user puts tags on tickets and contacts and filters by them."""

    name = "tag.created"


class TagUpdated(ForEveryone[TagRead]):
    name = "tag.updated"


class TagRemoved(ForEveryone[Removed]):
    """A tag is gone, and with it from every ticket and contact that had it."""

    name = "tag.removed"


class UserCreated(ForAdmins[UserRead]):
    name = "user.created"


class UserUpdated(ContractEvent[UserRead]):
    """A user changed; the real-time server also moves their sockets to the rooms their role and queues allow."""

    name = "user.updated"
    audience: ClassVar[Audience] = Audience.ADMINS_AND_SUBJECT

    def __init__(self, payload: UserRead) -> None:
        super().__init__(payload, (ADMINS_ROOM, user_room(payload.id)))


class UserRemoved(ContractEvent[Removed]):
    """A user was deleted; the real-time server disconnects their sockets."""

    name = "user.removed"
    audience: ClassVar[Audience] = Audience.ADMINS_AND_SUBJECT

    def __init__(self, user_id: int) -> None:
        super().__init__(Removed(id=user_id), (ADMINS_ROOM, user_room(user_id)))


# --- notifications -------------------------------------------------------------------------------------------------


class NotificationCreated(ForSubject[NotificationRead]):
    """Something for this user: a mention in an internal note, a ticket transferred to them."""

    name = "notification.created"


class NotificationsRead(ForSubject[NotificationIds]):
    """These notifications were marked read (in another tab, perhaps)."""

    name = "notification.read"


# --- scheduled messages --------------------------------------------------------------------------------------------


class ScheduledMessageUpdated(ContractEvent[ScheduledRead]):
    """A scheduled message was written, changed, cancelled or went out: for its author and the admins."""

    name = "scheduled_message.updated"
    audience: ClassVar[Audience] = Audience.ADMINS_AND_SUBJECT

    def __init__(self, payload: ScheduledRead, author_id: int | None) -> None:
        super().__init__(payload, (ADMINS_ROOM,) if author_id is None else (ADMINS_ROOM, user_room(author_id)))


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
