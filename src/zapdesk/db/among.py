"""`among(key, ids)`: `key IN (SELECT …)`, which PostgreSQL reads as a list of values to look up in an index.

Given `IN (subquery)`, PostgreSQL's planner guesses how many rows the subquery yields and may hash it and read the
whole other table instead (100,000 tickets read to find the 2,000 of 460 contacts); `key = ANY(ARRAY(subquery))`
is computed first, then looked up value by value in `key`'s index. Elsewhere (SQLite) it is the plain IN.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ColumnElement, Select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal


class _Among(ColumnElement[bool]):
    type = Boolean()
    # Both parts take part in the statement cache's key, so a search statement is compiled once per shape.
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement), ("ids", InternalTraversal.dp_clauseelement)]
    inherit_cache = True

    def __init__(self, key: ColumnElement[Any], ids: Select[Any]) -> None:
        self.column = key
        self.ids = ids


def among(key: Any, ids: Select[Any]) -> ColumnElement[bool]:
    """`key` is one of the values `ids` (a one-column SELECT) yields."""
    return _Among(key, ids)


@compiles(_Among)
def _as_in(element: _Among, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column.in_(element.ids), **kw)


@compiles(_Among, "postgresql")
def _as_any_array(element: _Among, compiler: SQLCompiler, **kw: Any) -> str:
    key = compiler.process(element.column, **kw)
    return f"{key} = ANY(ARRAY{compiler.process(element.ids.scalar_subquery(), **kw)})"
