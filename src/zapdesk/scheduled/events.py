"""The events of scheduled messages (see the contract, `zapdesk.events`)."""

from __future__ import annotations

from typing import ClassVar

from zapdesk.db.audiences import ADMINS_ROOM, Audience, ContractEvent, user_room
from zapdesk.scheduled.schemas import ScheduledRead


class ScheduledMessageUpdated(ContractEvent[ScheduledRead]):
    """A scheduled message was written, changed, cancelled or went out: for its author and the admins."""

    name = "scheduled_message.updated"
    audience: ClassVar[Audience] = Audience.ADMINS_AND_SUBJECT

    def __init__(self, payload: ScheduledRead, author_id: int | None) -> None:
        super().__init__(payload, (ADMINS_ROOM,) if author_id is None else (ADMINS_ROOM, user_room(author_id)))
