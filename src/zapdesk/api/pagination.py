"""The one list shape every endpoint returns, `{"items", "next_cursor"}`, and opaque keyset cursors."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

from zapdesk.errors import Invalid

DEFAULT_LIMIT = 30
MAX_LIMIT = 100

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="How many items per page (1 to 100).")]

CursorValue = str | int | None
ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    next_cursor: str | None = None


def encode_cursor(*values: CursorValue) -> str:
    """Pack the sort key of the last item into a string clients pass back untouched."""
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[CursorValue]:
    """The values `encode_cursor` packed; a cursor we did not write is the client's error (422), not ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise Invalid("The cursor is not one this server issued.", code="invalid_cursor") from exc
    if not isinstance(values, list) or len(values) != size:
        raise Invalid("The cursor is not one this server issued.", code="invalid_cursor")
    if not all(value is None or isinstance(value, str | int) for value in values):
        raise Invalid("The cursor is not one this server issued.", code="invalid_cursor")
    return values
