"""Profile pictures: a connection's worker asks its engine for the pictures of the contacts due for one.

Contacts are marked due when they write (or are created) and their picture is a day old or was never fetched
(`contacts.service.mark_avatar_due`); any worker with a session on a connection the contact has a ticket on
fetches it, so a picture costs one request per contact per day at most.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from zapdesk.contacts.models import Contact
from zapdesk.contacts.service import record_contact_updated
from zapdesk.db.base import utcnow
from zapdesk.db.events import EventSink
from zapdesk.db.uow import on_rollback, unit_of_work
from zapdesk.engine.base import Engine, EngineError
from zapdesk.engine.events import Chat
from zapdesk.media.store import MediaStore
from zapdesk.tickets.models import Ticket

log = logging.getLogger(__name__)

# A picture the engine could not fetch now (not a "no picture" answer) is asked for again after this long.
RETRY_AFTER = timedelta(hours=1)
PER_ROUND = 5


async def refresh_due_avatars(
    engine: Engine,
    sessionmaker: async_sessionmaker[AsyncSession],
    sink: EventSink,
    media_store: MediaStore,
    *,
    connection_id: int,
    engine_timeout: float,
) -> int:
    """Fetch the pictures of up to `PER_ROUND` due contacts of this connection; how many were looked at."""
    async with sessionmaker() as session:
        due = list((await session.execute(_due_query(connection_id))).all())
    for contact_id, address, is_group in due:
        try:
            async with asyncio.timeout(engine_timeout):
                picture = await engine.profile_picture(Chat(address=address, is_group=is_group))
        except (EngineError, TimeoutError) as exc:
            log.info("profile picture of contact %s not fetched now: %s", contact_id, exc or type(exc).__name__)
            async with unit_of_work(sessionmaker, sink) as session:
                await _postpone(session, contact_id)
            continue
        async with unit_of_work(sessionmaker, sink) as session:
            replaced = await _store(session, media_store, contact_id, picture)
        if replaced is not None:
            await media_store.delete(replaced)  # only once the new one is committed
    return len(due)


async def connections_with_due_avatars(session: AsyncSession, *, now: datetime | None = None) -> set[int]:
    """The connections with a contact whose picture is due: what a worker's sweep wakes the outboxes of."""
    query = (
        select(Ticket.connection_id)
        .join(Contact, Contact.id == Ticket.contact_id)
        .where(Contact.avatar_due_at.is_not(None), Contact.avatar_due_at <= (now or utcnow()))
        .distinct()
    )
    return set((await session.execute(query)).scalars())


def _due_query(connection_id: int) -> Select[int, str, bool]:
    on_this_connection = exists().where(Ticket.contact_id == Contact.id, Ticket.connection_id == connection_id)
    return (
        select(Contact.id, Contact.phone, Contact.is_group)
        .where(Contact.avatar_due_at.is_not(None), Contact.avatar_due_at <= utcnow(), on_this_connection)
        .order_by(Contact.avatar_due_at)
        .limit(PER_ROUND)
    )


async def _postpone(session: AsyncSession, contact_id: int) -> None:
    contact = await session.get(Contact, contact_id)
    if contact is not None:
        contact.avatar_due_at = utcnow() + RETRY_AFTER


async def _store(session: AsyncSession, media_store: MediaStore, contact_id: int, picture: bytes | None) -> str | None:
    """Keep the new picture (or none); the file it replaces, to delete after the commit."""
    contact = await session.get(Contact, contact_id)
    if contact is None:
        return None
    contact.avatar_checked_at = utcnow()
    contact.avatar_due_at = None
    old_path = contact.avatar_path
    url = f"/api/contacts/{contact.id}/avatar?v={hashlib.sha256(picture).hexdigest()[:12]}" if picture else None
    if url == contact.profile_picture_url and (picture is None) == (old_path is None):
        return None  # the same picture as yesterday: nothing to tell anyone
    if picture:
        stored = await media_store.save(picture, declared_mime="image/jpeg")
        on_rollback(session, partial(media_store.delete, stored.path))
        contact.avatar_path = stored.path
    else:
        contact.avatar_path = None
    contact.profile_picture_url = url
    await record_contact_updated(session, contact)
    return old_path
