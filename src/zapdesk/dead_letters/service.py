"""Dead letters: an inbound event whose ingest raised for any reason but a database outage is kept raw, shown to
administrators, and ingested again on "retry" (and by every worker that starts: a deploy may have fixed it)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from zapdesk.db.events import EventSink
from zapdesk.db.outage import is_database_outage
from zapdesk.db.uow import savepoint, unit_of_work
from zapdesk.dead_letters.models import DeadLetter
from zapdesk.dead_letters.schemas import DeadLetterOut
from zapdesk.engine import codec
from zapdesk.engine.events import MediaContent, MessageReceived, Receipt
from zapdesk.errors import NotFound
from zapdesk.kit.paging import Keyset, keyset_page

log = logging.getLogger(__name__)

# Ingests one event of one connection inside the caller's transaction (the worker's pipeline, or the API's).
Ingest = Callable[[AsyncSession, int, codec.InboundEvent], Awaitable[None]]
_MAX_ERROR_CHARS = 2000
BY_ID = Keyset((DeadLetter.id,))


async def record(session: AsyncSession, connection_id: int, event: codec.InboundEvent, error: BaseException) -> None:
    """Keep `event` raw with the error that stopped it."""
    session.add(
        DeadLetter(
            connection_id=connection_id,
            kind=type(event).__name__,
            external_id=event.external_id if not isinstance(event, Receipt) else None,
            event=codec.encode(event),
            error=describe(error),
        )
    )


async def list_dead_letters(
    session: AsyncSession, *, limit: int, cursor: str | None
) -> tuple[list[DeadLetter], str | None]:
    return await keyset_page(session, select(DeadLetter), BY_ID, limit=limit, cursor=cursor)


async def get_dead_letter(session: AsyncSession, dead_letter_id: int) -> DeadLetter:
    dead_letter = await session.get(DeadLetter, dead_letter_id)
    if dead_letter is None:
        raise NotFound(f"There is no dead letter with id {dead_letter_id}.", code="dead_letter_not_found")
    return dead_letter


async def retry(session: AsyncSession, dead_letter: DeadLetter, ingest: Ingest) -> bool:
    """Ingest the event again; gone when stored, else kept with the new error. A database outage propagates."""
    try:
        event = codec.decode_event(dead_letter.event)
        async with savepoint(session):
            await ingest(session, dead_letter.connection_id, event)
    except Exception as exc:
        if is_database_outage(exc):
            raise
        log.warning("dead letter %s failed again: %s", dead_letter.id, describe(exc))
        dead_letter.error = describe(exc)
        dead_letter.attempts += 1
        await session.flush()
        return False
    await session.delete(dead_letter)
    await session.flush()
    return True


async def retry_all(sessionmaker: async_sessionmaker[AsyncSession], sink: EventSink, ingest: Ingest) -> int:
    """Retry every dead letter, each in its own transaction (a worker starting after a deploy); how many stored."""
    async with sessionmaker() as session:
        ids = list((await session.execute(select(DeadLetter.id).order_by(DeadLetter.id))).scalars())
    stored = 0
    for dead_letter_id in ids:
        async with unit_of_work(sessionmaker, sink) as session:
            dead_letter = await session.get(DeadLetter, dead_letter_id)
            if dead_letter is not None and await retry(session, dead_letter, ingest):
                stored += 1
    if ids:
        log.info("retried %d dead letters: %d stored, %d still failing", len(ids), stored, len(ids) - stored)
    return stored


async def discard(session: AsyncSession, dead_letter_id: int) -> None:
    await session.delete(await get_dead_letter(session, dead_letter_id))


def to_out(dead_letter: DeadLetter) -> DeadLetterOut:
    return DeadLetterOut(
        id=dead_letter.id,
        connection_id=dead_letter.connection_id,
        kind=dead_letter.kind,
        external_id=dead_letter.external_id,
        summary=summary(dead_letter),
        error=dead_letter.error,
        attempts=dead_letter.attempts,
        created_at=dead_letter.created_at,
        updated_at=dead_letter.updated_at,
    )


def summary(dead_letter: DeadLetter) -> str:
    """One line about what arrived; the raw event itself when it cannot be read back."""
    try:
        event = codec.decode_event(dead_letter.event)
    except (codec.UndecodableEvent, TypeError, ValueError):
        return str(dead_letter.event)[:200]
    if isinstance(event, Receipt):
        return f"{event.kind.value}: {', '.join(event.external_ids)}"
    if isinstance(event, MessageReceived):
        content = event.content
        if isinstance(content, MediaContent):
            return f"{content.kind.value} {content.caption}".strip()
        return str(getattr(content, "text", None) or getattr(content, "display_name", None) or type(content).__name__)
    return type(event).__name__


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:_MAX_ERROR_CHARS]
