"""Who may receive an event: the Socket.IO room names, and the audiences every contract event derives from.

- `admins`: every admin socket (admins see everything: every resource event names it);
- `agents`: every agent socket (pending tickets without a queue);
- `queue:{id}`: agents of that queue; `user:{id}`: every socket of that user;
- `EVERYONE_ROOMS` = (`admins`, `agents`): every signed-in socket (connection states, contacts).

Which rooms may see a ticket is its own rule, `zapdesk.tickets.access`; the domains declare their events in their
own `events` modules on these bases, and `zapdesk.events` holds the contract as a whole. This module, like
`zapdesk.db.events`, knows no domain.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, TypeVar

from pydantic import BaseModel

from zapdesk.db.events import Event

P = TypeVar("P", bound=BaseModel)

ADMINS_ROOM = "admins"
# Every agent: only pending tickets with no queue are sent here.
AGENTS_ROOM = "agents"
# What every signed-in user may see (contacts, connections, queues).
EVERYONE_ROOMS: tuple[str, ...] = (ADMINS_ROOM, AGENTS_ROOM)


def queue_room(queue_id: int) -> str:
    return f"queue:{queue_id}"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


class Audience(StrEnum):
    """Who may receive an event; each maps to rooms (a ticket's through `zapdesk.tickets.access`)."""

    TICKET_VIEWERS = "ticket_viewers"  # whoever may see the ticket now: admins, its queue, its assignee
    FORMER_TICKET_VIEWERS = "former_ticket_viewers"  # those who saw the ticket before a change and no longer may
    EVERYONE = "everyone"  # every signed-in user
    ADMINS = "admins"
    ADMINS_AND_SUBJECT = "admins_and_subject"  # admins and the user the event is about
    SUBJECT = "subject"  # only the user the event is for (their own notifications)
    WORKERS = "workers"  # no browser: it wakes the engine workers


class Removed(BaseModel):
    """Only the id of what is gone (or what the receiver may no longer see)."""

    id: int


class ContractEvent(Event[P]):
    """An event of the contract: every one declares who may receive it."""

    audience: ClassVar[Audience]


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
