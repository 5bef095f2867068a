"""The events of tickets (see the contract, `zapdesk.events`), and the audience of whatever a ticket's viewers see."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from pydantic import BaseModel

from zapdesk.db.audiences import Audience, ContractEvent, Removed
from zapdesk.tickets.access import TicketScope, ticket_rooms
from zapdesk.tickets.history.schemas import TicketEventRead
from zapdesk.tickets.schemas import TicketRead

P = TypeVar("P", bound=BaseModel)


class ForTicketViewers(ContractEvent[P]):
    audience: ClassVar[Audience] = Audience.TICKET_VIEWERS

    def __init__(self, payload: P, ticket: TicketScope) -> None:
        super().__init__(payload, ticket_rooms(ticket))


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
