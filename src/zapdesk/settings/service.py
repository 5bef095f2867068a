"""Workspace settings: the known keys, their types and defaults, and reading them typed.

Other parts of the app read a setting with `await get_setting(session, IGNORE_GROUP_MESSAGES)`, which
returns the stored value, or the default when none is stored (or a stored one no longer validates).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, Field, JsonValue, Strict, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.api.inputs import TIME_ZONE_NAMES, TIME_ZONE_SHAPE, json_integer
from zapdesk.db.base import utcnow
from zapdesk.errors import Invalid, NotFound, describe_validation_errors, field_errors
from zapdesk.kit.upserts import insert_or_update
from zapdesk.settings.models import Setting

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, eq=False, slots=True)
class SettingKey(Generic[T]):
    """A known setting; the type parameter is the type `get_setting` returns for it."""

    name: str
    default: T
    value_type: Any  # the value's type, with its constraints (`Annotated[...]`)
    description: str
    adapter: TypeAdapter[T] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "adapter", TypeAdapter(self.value_type))

    def validate(self, value: object) -> T:
        """The value if it fits this setting, else 422 saying why."""
        try:
            return self.adapter.validate_python(value)
        except ValidationError as exc:
            errors = list(exc.errors())
            raise Invalid(
                f"{self.name}: {describe_validation_errors(errors)}.",
                errors=field_errors(errors, prefix=("body", "value")),
            ) from exc

    def to_json(self, value: T) -> JsonValue:
        stored: JsonValue = self.adapter.dump_python(value, mode="json")
        return stored

    def parse_json(self, value: object) -> JsonValue:
        """`value` validated for this setting, as it is stored; 422 when it does not fit."""
        return self.to_json(self.validate(value))

    def default_json(self) -> JsonValue:
        return self.to_json(self.default)

    def current_json(self, row: Setting | None) -> JsonValue:
        return self.to_json(self.current(row))

    def current(self, row: Setting | None) -> T:
        """The stored value, or the default when none is stored or the stored one no longer validates."""
        if row is None:
            return self.default
        try:
            return self.adapter.validate_python(row.value)
        except ValidationError:
            # Stored by an older version whose rules differed: run on the default, and say so.
            log.warning("setting %s holds %r, which is no longer valid; using the default", self.name, row.value)
            return self.default


# Strict: `"false"` or `0` for a switch is a client mistake to report, not to guess at.
_SWITCH = Annotated[bool, Strict()]

IGNORE_GROUP_MESSAGES: SettingKey[bool] = SettingKey(
    "ignore_group_messages",
    default=False,
    value_type=_SWITCH,
    description="Messages from WhatsApp groups open no tickets (they are not stored).",
)
SEND_GREETING_ON_NEW_TICKET: SettingKey[bool] = SettingKey(
    "send_greeting_on_new_ticket",
    default=True,
    value_type=_SWITCH,
    description="A new ticket from a customer is answered with the greeting of its connection or queue.",
)
OUTBOUND_MIN_INTERVAL_MS: SettingKey[int] = SettingKey(
    "outbound_min_interval_ms",
    default=1000,
    value_type=Annotated[int, Field(ge=0, le=600_000), json_integer],
    description="The least time between two messages sent on one connection, in milliseconds.",
)

SEND_API_OPENS_TICKET: SettingKey[bool] = SettingKey(
    "send_api_opens_ticket",
    default=True,
    value_type=_SWITCH,
    description="A message sent through the send API opens the contact's ticket as pending in the inbox (off: it "
    "is sent without touching the inbox; the contact's latest ticket keeps its state).",
)

AGENT_SIGNATURE: SettingKey[bool] = SettingKey(
    "agent_signature",
    default=True,
    value_type=_SWITCH,
    description="What an agent writes goes out on WhatsApp under their name in bold (each agent may turn it off).",
)


def _existing_zone(name: str) -> str:
    if name not in TIME_ZONE_NAMES:
        raise PydanticCustomError("timezone_unknown", "there is no time zone called {zone}", {"zone": name})
    return name


TIMEZONE: SettingKey[str] = SettingKey(
    "timezone",
    default="America/Sao_Paulo",
    value_type=Annotated[
        str,
        Strict(),
        Field(min_length=1, max_length=64, pattern=TIME_ZONE_SHAPE),
        AfterValidator(_existing_zone),
    ],
    description="The time zone of business hours, schedules and the times written to customers (IANA name; a name "
    "no zone has is refused with 422 `timezone_unknown`).",
)

AnySettingKey = SettingKey[bool] | SettingKey[int] | SettingKey[str]

KNOWN_SETTINGS: dict[str, AnySettingKey] = {
    key.name: key
    for key in (
        IGNORE_GROUP_MESSAGES,
        SEND_GREETING_ON_NEW_TICKET,
        OUTBOUND_MIN_INTERVAL_MS,
        SEND_API_OPENS_TICKET,
        AGENT_SIGNATURE,
        TIMEZONE,
    )
}


@dataclass(frozen=True, slots=True)
class SettingValue:
    key: AnySettingKey
    value: JsonValue


async def get_setting(session: AsyncSession, key: SettingKey[T]) -> T:
    """The setting's value, typed; its default when it was never set."""
    return key.current(await session.get(Setting, key.name))


async def list_settings(session: AsyncSession) -> list[SettingValue]:
    """Every known setting with its current value, in a stable order."""
    rows = (await session.execute(select(Setting).where(Setting.key.in_(KNOWN_SETTINGS)))).scalars().all()
    by_key = {row.key: row for row in rows}
    return [SettingValue(key, key.current_json(by_key.get(name))) for name, key in sorted(KNOWN_SETTINGS.items())]


async def set_setting(session: AsyncSession, name: str, value: object) -> SettingValue:
    """Validate `value` for the setting `name` and store it; 404 for a key we do not know."""
    key = KNOWN_SETTINGS.get(name)
    if key is None:
        raise NotFound(f"There is no setting named {name}.", code="setting_not_found")
    stored = key.parse_json(value)
    # An upsert, so two admins saving the same new key at once both succeed (the last one wins).
    await session.execute(
        insert_or_update(
            session,
            Setting,
            {"key": name, "value": stored},
            on=[Setting.key],
            update={"value": stored, "updated_at": utcnow()},
        )
    )
    return SettingValue(key, stored)
