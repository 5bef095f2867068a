"""Keyset pagination, the one way every list pages: `?cursor=&limit=` in, `{"items", "next_cursor"}` out.

A page follows its list's sort key rather than an offset, so rows inserted while a client pages never shift or
repeat. The cursor is the sort key of a page's last item, one field per key column, joined by dots: a number
(an id, or a time in microseconds since the epoch) in decimal, a text in unpadded base64url of its UTF-8. Any
string of that shape is a position in the list, so the OpenAPI pattern of a list's `cursor` says exactly what
the server accepts; clients still pass `next_cursor` back untouched.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from zapdesk.errors import Invalid

DEFAULT_LIMIT = 30
MAX_LIMIT = 100
# The largest id we hand out or accept: JavaScript's largest exact integer, so every client reads ids exactly
# (PostgreSQL's 64-bit ids go further, but a sequence never gets there).
MAX_ID = 2**53 - 1
MAX_CURSOR_LENGTH = 1024

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="How many items per page (1 to 100).")]

ItemT = TypeVar("ItemT")
RowT = TypeVar("RowT")
KeyValue = int | str | datetime

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NUMBER = r"[0-9]{1,16}"  # ids up to MAX_ID; times up to the year 2286
_TEXT = r"(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2,3})?"  # every length base64 can have


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    next_cursor: str | None = None


def _invalid_cursor() -> Invalid:
    return Invalid("The cursor is not one of this list's.", code="invalid_cursor")


@dataclass(frozen=True, slots=True)
class Keyset:
    """A list's order: columns that together are unique per row, all ascending or all descending."""

    columns: tuple[InstrumentedAttribute[Any], ...]
    descending: bool = False

    @property
    def pattern(self) -> str:
        """The shape of this list's cursors (what its `cursor` parameter accepts)."""
        fields = (_TEXT if column.type.python_type is str else _NUMBER for column in self.columns)
        return "^" + r"\.".join(fields) + "$"

    def cursor_query(self) -> Any:
        """The `cursor` query parameter of this list: `cursor: Annotated[str | None, keyset.cursor_query()] = None`."""
        return Query(
            min_length=1,
            max_length=MAX_CURSOR_LENGTH,
            pattern=self.pattern,
            description="The `next_cursor` of the previous page, passed back as it came; none for the first page.",
        )

    def order_by(self) -> list[ColumnElement[Any]]:
        return [column.desc() if self.descending else column.asc() for column in self.columns]

    def encode(self, row: object) -> str:
        return ".".join(_encode(getattr(row, column.key)) for column in self.columns)

    def decode(self, cursor: str) -> tuple[KeyValue, ...]:
        """The key a cursor carries; 422 `invalid_cursor` when it does not have this list's shape."""
        fields = cursor.split(".")
        if len(fields) != len(self.columns):
            raise _invalid_cursor()
        return tuple(
            _decode(field, column.type.python_type) for field, column in zip(fields, self.columns, strict=True)
        )

    def after(self, key: Sequence[KeyValue]) -> ColumnElement[bool]:
        """Rows past `key` in this order, spelt as `a > x OR (a = x AND b > y)`: both databases walk an index."""
        clauses: list[ColumnElement[bool]] = []
        for position, column in enumerate(self.columns):
            equal = [earlier == key[index] for index, earlier in enumerate(self.columns[:position])]
            beyond = column < key[position] if self.descending else column > key[position]
            clauses.append(and_(*equal, beyond))
        return or_(*clauses)

    def page(self, rows: Sequence[RowT], limit: int) -> tuple[list[RowT], str | None]:
        """Split `limit + 1` fetched rows into the page and the cursor of the next one (None on the last)."""
        if len(rows) <= limit:
            return list(rows), None
        kept = list(rows[:limit])
        return kept, self.encode(kept[-1])


def _encode(value: object) -> str:
    if isinstance(value, datetime):
        return str((value - _EPOCH) // timedelta(microseconds=1))
    if isinstance(value, int):
        return str(value)
    return base64.urlsafe_b64encode(str(value).encode()).decode().rstrip("=")


def _decode(field: str, python_type: type) -> KeyValue:
    if python_type is str:
        try:
            raw = base64.urlsafe_b64decode(field + "=" * (-len(field) % 4))
        except (binascii.Error, ValueError) as exc:
            raise _invalid_cursor() from exc
        # Any bytes are some position in the list; NUL is the one character the databases cannot compare.
        return raw.decode("utf-8", errors="replace").replace("\x00", "")
    if not field.isascii() or not field.isdigit() or len(field) > 16:
        raise _invalid_cursor()
    number = int(field)
    return _EPOCH + timedelta(microseconds=number) if python_type is datetime else number


async def keyset_page(
    session: AsyncSession, query: Select[RowT], keyset: Keyset, *, limit: int, cursor: str | None
) -> tuple[list[RowT], str | None]:
    """One page of `query` in `keyset`'s order, and the cursor of the next page."""
    if cursor is not None:
        query = query.where(keyset.after(keyset.decode(cursor)))
    rows = (await session.execute(query.order_by(*keyset.order_by()).limit(limit + 1))).scalars().unique().all()
    return keyset.page(rows, limit)
