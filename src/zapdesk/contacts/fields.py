"""Custom fields of contacts: the definitions an administrator keeps (a label and a type), and values checked
against them — a number, a date (YYYY-MM-DD), an e-mail address, or text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.contacts.models import ContactField, FieldType
from zapdesk.contacts.schemas import ContactFieldCreate, ContactFieldUpdate
from zapdesk.errors import Conflict, Invalid, NotFound
from zapdesk.kit.conflicts import flush_or_conflict

_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


async def list_fields(session: AsyncSession) -> list[ContactField]:
    query = select(ContactField).order_by(ContactField.position, ContactField.id)
    return list((await session.execute(query)).scalars())


async def create_field(session: AsyncSession, data: ContactFieldCreate) -> ContactField:
    key = data.key or _slug(data.label)
    if (await session.execute(select(ContactField.id).where(func.lower(ContactField.key) == key))).first():
        raise _key_taken(key)
    field = ContactField(key=key, label=data.label, type=data.type, position=data.position)
    await flush_or_conflict(session, _key_taken(key), adding=field)
    return field


async def update_field(session: AsyncSession, field_id: int, data: ContactFieldUpdate) -> ContactField:
    """Label and order only: a field's key and type stay, or the values already stored would stop fitting."""
    field = await _get(session, field_id)
    if data.label is not None:
        field.label = data.label
    if data.position is not None:
        field.position = data.position
    await session.flush()
    return field


async def delete_field(session: AsyncSession, field_id: int) -> None:
    """The definition goes; values already stored stay on their contacts, as plain text."""
    await session.delete(await _get(session, field_id))


async def checked_values(
    session: AsyncSession, values: Mapping[str, str | int | float], current: Mapping[str, object]
) -> dict[str, str]:
    """`values` as they will be stored: each checked against its field's type and normalized; an empty value
    removes the field. A key no field defines is refused, unless the contact has it already (kept as text)."""
    fields = {field.key: field for field in await list_fields(session)}
    stored: dict[str, str] = {}
    for key, raw in values.items():
        value = str(raw).strip()
        if not value:
            continue
        field = fields.get(key)
        if field is None:
            if key not in current:
                # A key names a field definition, as an id names a row: an unknown one conflicts with what exists (409).
                raise Conflict(f"No custom field is called {key!r}.", code="unknown_custom_field")
            stored[key] = value
            continue
        stored[key] = _typed(field, value)
    return stored


def _typed(field: ContactField, value: str) -> str:
    if field.type == FieldType.NUMBER:
        if not _NUMBER.fullmatch(value):
            raise _wrong_type(field, "a number")
        return value.replace(",", ".")
    if field.type == FieldType.DATE:
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise _wrong_type(field, "a date (YYYY-MM-DD)") from None
    if field.type == FieldType.EMAIL:
        try:
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError:
            raise _wrong_type(field, "an e-mail address") from None
    return value


def _wrong_type(field: ContactField, expected: str) -> Invalid:
    return Invalid(f"{field.label} must be {expected}.", code="invalid_custom_field")


async def _get(session: AsyncSession, field_id: int) -> ContactField:
    field = await session.get(ContactField, field_id)
    if field is None:
        raise NotFound(f"There is no custom field with id {field_id}.", code="contact_field_not_found")
    return field


def _slug(label: str) -> str:
    plain = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:60]
    return slug if slug and slug[0].isalpha() else f"campo_{slug}".rstrip("_")


def _key_taken(key: str) -> Conflict:
    return Conflict(f"A custom field with key {key!r} already exists.", code="contact_field_taken")
