"""Queries on contacts, including the search clause the ticket list reuses."""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.contacts.models import Contact
from zapdesk.db.folding import fold
from zapdesk.tags.models import contact_tags

LIKE_ESCAPE = "\\"


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with the user's own `%` and `_` taken literally."""
    escaped = text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", f"{LIKE_ESCAPE}%").replace("_", f"{LIKE_ESCAPE}_")
    return f"%{escaped}%"


def contact_search_clause(search: str) -> ColumnElement[bool]:
    """Name contains `search` (any case, any accents), or the phone contains its digits (`+55 11` finds `5511…`)."""
    clauses = [Contact.name_search.like(contains_pattern(fold(search)), escape=LIKE_ESCAPE)]
    digits = re.sub(r"[^0-9]", "", search)
    if digits:
        clauses.append(Contact.phone.like(contains_pattern(digits), escape=LIKE_ESCAPE))
    return or_(*clauses)


def contacts_page_query(
    *, search: str | None, tag_id: int | None = None, after: tuple[str, int] | None, limit: int
) -> Select[Contact]:
    """Contacts by name then id, one page past the keyset `after` (plus one row to tell if more follow)."""
    query = select(Contact)
    if search:
        query = query.where(contact_search_clause(search))
    if tag_id is not None:
        query = query.where(Contact.id.in_(select(contact_tags.c.contact_id).where(contact_tags.c.tag_id == tag_id)))
    if after is not None:
        name, contact_id = after
        query = query.where(or_(Contact.name > name, and_(Contact.name == name, Contact.id > contact_id)))
    return query.order_by(Contact.name, Contact.id).limit(limit + 1)


async def get_contact(session: AsyncSession, contact_id: int, *, lock: bool = False) -> Contact | None:
    """`lock` holds the row (PostgreSQL) until commit, so concurrent changes to it queue up."""
    if not lock:
        return await session.get(Contact, contact_id)
    query = select(Contact).where(Contact.id == contact_id).with_for_update().execution_options(populate_existing=True)
    return (await session.execute(query)).scalar_one_or_none()


async def contacts_by_identity(session: AsyncSession, *, phone: str, lid: str | None) -> list[Contact]:
    """The contacts holding this phone or this LID (two when a person was first seen under each)."""
    condition = Contact.phone == phone if lid is None else or_(Contact.phone == phone, Contact.lid == lid)
    # populate_existing: after a rolled-back SAVEPOINT the identity map may hold stale rows.
    query = select(Contact).where(condition).order_by(Contact.id).execution_options(populate_existing=True)
    return list((await session.execute(query)).scalars())


async def contacts_by_phones(session: AsyncSession, phones: set[str]) -> list[Contact]:
    query = select(Contact).where(Contact.phone.in_(phones)).execution_options(populate_existing=True)
    return list((await session.execute(query)).scalars())


async def phone_taken(session: AsyncSession, phone: str, *, other_than: int | None = None) -> bool:
    query = select(Contact.id).where(Contact.phone == phone)
    if other_than is not None:
        query = query.where(Contact.id != other_than)
    return (await session.execute(query.limit(1))).first() is not None
