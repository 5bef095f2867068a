"""The JSON shapes of users; the password hash never appears in any of them."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from zapdesk.api.inputs import IdRef, PatchModel
from zapdesk.users.models import Role, User

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256


def normalize_email(value: str) -> str:
    """Emails compare case-insensitively, so we store and look them up in lower case."""
    return value.strip().lower()


# Sign-in names rather than mail we send: self-hosted desks use internal domains (admin@zapdesk.local,
# agent@localhost) that strict validators reject as reserved, so only the shape is checked.
_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)*$")


def _valid_email(value: str) -> str:
    if not _EMAIL_SHAPE.match(value):
        raise PydanticCustomError("email_invalid", "not a valid email address")
    return normalize_email(value)


Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_valid_email)]
Password = Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class UserRead(BaseModel):
    id: int
    name: str
    email: str
    role: Role
    queue_ids: list[int]
    signature: bool = Field(description="What they write goes out on WhatsApp under their name in bold.")
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
    signature: bool = True


class UserUpdate(PatchModel):
    nullable: ClassVar[frozenset[str]] = frozenset()

    name: PersonName | None = None
    email: Email | None = None
    role: Role | None = None
    password: Password | None = None
    queue_ids: list[IdRef] | None = Field(default=None, max_length=500)
    signature: bool | None = None


class OwnPreferences(PatchModel):
    """What every user may change about themselves."""

    signature: bool | None = None
