"""Query helpers every domain service shares: one-column keyset pages and unique-constraint races."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from zapdesk.api.inputs import MAX_ID
from zapdesk.api.pagination import decode_cursor, encode_cursor
from zapdesk.errors import Conflict, Invalid

RowT = TypeVar("RowT")


async def keyset_page(
    session: AsyncSession,
    query: Select[RowT],
    key: InstrumentedAttribute[Any],
    *,
    limit: int,
    cursor: str | None,
) -> tuple[list[RowT], str | None]:
    """One page of `query` ordered by `key` (a unique, non-null column), and the cursor of the next page.

    Pages follow the key rather than an offset, so rows inserted while a client pages never shift or repeat.
    """
    if cursor is not None:
        (after,) = decode_cursor(cursor, 1)
        python_type = key.type.python_type
        out_of_range = isinstance(after, int) and not -MAX_ID <= after <= MAX_ID
        if after is None or not isinstance(after, python_type) or isinstance(after, bool) or out_of_range:
            raise Invalid("The cursor is not one this server issued.", code="invalid_cursor")
        query = query.where(key > after)
    rows = list((await session.execute(query.order_by(key).limit(limit + 1))).scalars().all())
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(getattr(rows[-1], key.key))


async def flush_or_conflict(session: AsyncSession, conflict: Conflict) -> None:
    """Flush; a unique constraint that a concurrent request won first becomes `conflict` (409), not a 500.

    Services look for duplicates before writing, so this only fires when two requests race.
    """
    try:
        await session.flush()
    except IntegrityError as exc:
        raise conflict from exc
