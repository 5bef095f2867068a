"""The JSON shapes of users; the password hash never appears in any of them."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, ClassVar, Literal, cast

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool
from pydantic_core import PydanticCustomError

from zapdesk.api.inputs import SAYS_SOMETHING, IdRef, PatchModel, trimmed
from zapdesk.users.models import Role, User

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256


def normalize_email(value: str) -> str:
    """Emails compare case-insensitively, so we store and look them up in lower case."""
    return value.strip().lower()


# Sign-in names rather than mail we send: self-hosted desks use internal domains (admin@zapdesk.local,
# agent@localhost) that strict validators reject as reserved, so only the shape is checked (spaces around it
# are dropped).
EMAIL_SHAPE = r"^\s*[^@\s\x00-\x1f\x7f]+@[^@\s.\x00-\x1f\x7f]+(\.[^@\s.\x00-\x1f\x7f]+)*\s*$"

_EMAIL = re.compile(EMAIL_SHAPE)


def _valid_email(value: str) -> str:
    if not _EMAIL.match(value):
        raise PydanticCustomError("email_invalid", "not a valid email address")
    return normalize_email(value)


Email = Annotated[
    str,
    Field(
        max_length=254,
        # Not `format: email`: that claims RFC 5322, and the server checks only this shape.
        json_schema_extra={"pattern": EMAIL_SHAPE},
        description="An e-mail address: one @, a domain of dot-separated names (internal ones such as .local too).",
    ),
    AfterValidator(_valid_email),
]
Password = Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)]
PersonName = Annotated[str, Field(min_length=1, max_length=120, json_schema_extra=SAYS_SOMETHING), trimmed]


Language = Literal["pt-BR", "en"]


class NotificationPreferences(BaseModel):
    """What alerts a user, and how: in a hidden tab a browser notification and a sound, in a visible one a quiet
    sound only."""

    model_config = ConfigDict(extra="forbid")

    sound: StrictBool = True
    desktop: StrictBool = Field(default=True, description="Browser notifications while the tab is hidden.")
    transfers: StrictBool = Field(default=True, description="A ticket was transferred to me.")
    mentions: StrictBool = Field(default=True, description="Someone mentioned me in a note.")
    messages: StrictBool = Field(default=True, description="A customer wrote on a ticket of mine.")

    @classmethod
    def of(cls, user: User) -> NotificationPreferences:
        return cls(
            sound=user.notify_sound,
            desktop=user.notify_desktop,
            transfers=user.notify_transfers,
            mentions=user.notify_mentions,
            messages=user.notify_messages,
        )

    def apply_to(self, user: User) -> None:
        user.notify_sound = self.sound
        user.notify_desktop = self.desktop
        user.notify_transfers = self.transfers
        user.notify_mentions = self.mentions
        user.notify_messages = self.messages


class UserRead(BaseModel):
    id: int
    name: str
    email: str
    role: Role
    queue_ids: list[int]
    signature: bool = Field(description="What they write goes out on WhatsApp under their name in bold.")
    language: Language | None = Field(description="The interface's language; null follows the browser.")
    notifications: NotificationPreferences
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserRead:
        """Needs `user.queues` loaded."""
        return cls(
            id=user.id,
            name=user.name,
            email=user.email,
            role=Role(user.role),
            queue_ids=[queue.id for queue in user.queues],
            signature=user.signature,
            language=cast(Language | None, user.language),
            notifications=NotificationPreferences.of(user),
            created_at=user.created_at,
        )


class DirectoryEntry(BaseModel):
    """What any signed-in user may know about a colleague (e.g. to transfer a ticket to them)."""

    id: int
    name: str
    role: Role
    queue_ids: list[int]

    @classmethod
    def of(cls, user: User) -> DirectoryEntry:
        return cls(id=user.id, name=user.name, role=Role(user.role), queue_ids=[queue.id for queue in user.queues])


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: PersonName
    email: Email
    role: Role = Role.AGENT
    password: Password
    queue_ids: list[IdRef] = Field(default_factory=list, max_length=500)
    signature: StrictBool = True


class UserUpdate(PatchModel):
    nullable: ClassVar[frozenset[str]] = frozenset()

    name: PersonName | None = None
    email: Email | None = None
    role: Role | None = None
    password: Password | None = None
    queue_ids: list[IdRef] | None = Field(default=None, max_length=500)
    signature: StrictBool | None = None


class OwnPreferences(PatchModel):
    """What every user may change about themselves (their password has its own request: it needs the current one)."""

    nullable: ClassVar[frozenset[str]] = frozenset({"language"})

    name: PersonName | None = None
    language: Language | None = None
    signature: StrictBool | None = None
    notifications: NotificationPreferences | None = Field(default=None, description="Replaces every choice at once.")


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: Password
