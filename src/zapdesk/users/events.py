"""The events of users (see the contract, `zapdesk.events`)."""

from __future__ import annotations

from typing import ClassVar

from zapdesk.db.audiences import ADMINS_ROOM, Audience, ContractEvent, ForAdmins, Removed, user_room
from zapdesk.users.schemas import UserRead


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
