"""Queries on contacts, including the search clause the ticket list reuses."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import lazyload

from zapdesk.contacts.models import Contact
from zapdesk.db.folding import folded_text_matches, holds
from zapdesk.kit.paging import Keyset
from zapdesk.kit.phones import search_forms
from zapdesk.tags.models import contact_tags


def contact_search_clause(search: str) -> ColumnElement[bool]:
    """Name contains `search` (any case, any accents), or the phone contains the number however it was typed
    (`+55 11` finds `5511…`, `(21) 8888-7777` finds `5521988887777`)."""
    clauses = [folded_text_matches(Contact.name_search, search)]
    clauses += [holds(Contact.phone, digits) for digits in sorted(search_forms(search))]
    return or_(*clauses)


# The contact list's order: by name, then id.
BY_NAME = Keyset((Contact.name, Contact.id))


def contacts_query(*, search: str | None, tag_id: int | None = None) -> Select[Contact]:
    query = select(Contact)
    if search:
        query = query.where(contact_search_clause(search))
    if tag_id is not None:
        query = query.where(Contact.id.in_(select(contact_tags.c.contact_id).where(contact_tags.c.tag_id == tag_id)))
    return query


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
    """Without their tags: ingest asks for a batch's contacts every time and needs their tags only to announce a
    change (`record_contact_updated` loads them then)."""
    query = (
        select(Contact)
        .where(Contact.phone.in_(phones))
        .options(lazyload(Contact.tags))
        .execution_options(populate_existing=True)
    )
    return list((await session.execute(query)).scalars())


async def phone_taken(session: AsyncSession, phone: str, *, other_than: int | None = None) -> bool:
    query = select(Contact.id).where(Contact.phone == phone)
    if other_than is not None:
        query = query.where(Contact.id != other_than)
    return (await session.execute(query.limit(1))).first() is not None
