"""The events of messages (see the contract, `zapdesk.events`)."""

from __future__ import annotations

from zapdesk.connections.events import ConnectionRef
from zapdesk.db.audiences import ForWorkers
from zapdesk.messages.schemas import MessageRead
from zapdesk.tickets.events import ForTicketViewers


class MessageCreated(ForTicketViewers[MessageRead]):
    """A message was stored in a ticket: received, typed by an agent, or automatic."""

    name = "message.created"


class MessageUpdated(ForTicketViewers[MessageRead]):
    """A message changed: its delivery status, an edit, a reaction, a deletion."""

    name = "message.updated"


class SendQueued(ForWorkers[ConnectionRef]):
    """An outbound message waits to be sent on this connection: wake the outboxes."""

    name = "internal.send_queued"
