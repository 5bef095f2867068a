"""Backfills read a table in batches by id, so a migration's memory stays flat whatever the table's size."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa


def rows_by_id(
    bind: sa.Connection, table: sa.TableClause, *columns: str, size: int = 1000
) -> Iterator[list[sa.Row[Any]]]:
    """`table`'s `id` and `columns`, in batches of `size` rows in id order."""
    selected = [table.c.id, *(table.c[name] for name in columns)]
    after = 0
    while True:
        rows = list(bind.execute(sa.select(*selected).where(table.c.id > after).order_by(table.c.id).limit(size)))
        if not rows:
            return
        yield rows
        after = rows[-1].id
