"""Counts, medians, p90s and rating tallies over ticket columns, grouped, in whichever database holds them.

PostgreSQL computes them itself (`percentile_cont`, grouping by local day or hour), so a year of tickets never
leaves the database; SQLite has no percentiles and no time zones, so there the values are read and computed here.
Both give the same figures: linear interpolation between the two nearest values, rounded to the millisecond.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Date, cast, extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from zapdesk.reports.schemas import Csat, Spread
from zapdesk.tickets.models import Ticket

Where = Sequence[ColumnElement[bool]]
# The satisfaction survey's scale (`tickets.ratings.parse_rating`).
SCORES = range(1, 6)
Measure = InstrumentedAttribute[int | None] | InstrumentedAttribute[int]


def percentile(ordered: Sequence[float], fraction: float) -> float | None:
    """The `fraction` percentile of sorted values, interpolated linearly (PostgreSQL's `percentile_cont`)."""
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def spread(values: Iterable[int | None]) -> Spread:
    ordered = sorted(value for value in values if value is not None)
    return Spread(count=len(ordered), median=_ms(percentile(ordered, 0.5)), p90=_ms(percentile(ordered, 0.9)))


def _ms(seconds: float | None) -> float | None:
    """To the millisecond: the interpolation's float noise is no part of the figure."""
    return round(seconds, 3) if seconds is not None else None


def csat(ratings: Iterable[int | None]) -> Csat:
    given = [rating for rating in ratings if rating is not None]
    return Csat(
        count=len(given),
        average=sum(given) / len(given) if given else None,
        distribution=dict(sorted(Counter(given).items())),
    )


@dataclass(frozen=True, slots=True)
class Tally:
    """The tickets of one group: how many, the spread of each measure (by its column's name), their ratings."""

    count: int
    spreads: dict[str, Spread]
    csat: Csat


def _in_database(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def tally(
    session: AsyncSession,
    where: Where,
    *,
    measures: Sequence[Measure],
    group: ColumnElement[Any] | InstrumentedAttribute[Any] | None = None,
    ratings: bool = False,
) -> dict[Hashable, Tally]:
    """The tickets `where` holds, per value of `group` (one group, keyed None, without it)."""
    if _in_database(session):
        return await _tally_in_database(session, where, measures, group, ratings)
    keys = [group] if group is not None else []
    rows = await session.execute(select(*keys, *measures, Ticket.rating).where(*where))
    by_group: dict[Hashable, list[Sequence[Any]]] = defaultdict(list)
    for row in rows:
        by_group[row[0] if group is not None else None].append(row[len(keys) :])
    return {
        key: Tally(
            count=len(values),
            spreads={measure.key: spread(value[index] for value in values) for index, measure in enumerate(measures)},
            csat=csat(value[-1] for value in values) if ratings else csat(()),
        )
        for key, values in by_group.items()
    }


async def _tally_in_database(
    session: AsyncSession,
    where: Where,
    measures: Sequence[Measure],
    group: ColumnElement[Any] | InstrumentedAttribute[Any] | None,
    ratings: bool,
) -> dict[Hashable, Tally]:
    keys = [group] if group is not None else []
    figures: list[ColumnElement[Any]] = [func.count()]
    for measure in measures:
        figures += [
            func.count(measure),
            func.percentile_cont(0.5).within_group(measure),
            func.percentile_cont(0.9).within_group(measure),
        ]
    if ratings:  # the distribution in the same pass: one count per score
        figures += [func.count().filter(Ticket.rating == score) for score in SCORES]
    statement = select(*keys, *figures).where(*where)
    rows = await session.execute(statement.group_by(*keys) if keys else statement)
    tallies: dict[Hashable, Tally] = {}
    for row in rows:
        key = row[0] if keys else None
        count, *measured = row[len(keys) :]
        if not count:
            continue  # no group at all: an aggregate without GROUP BY answers one row of zeros
        spreads = {
            measure.key: Spread(count=measured[3 * i], median=_ms(measured[3 * i + 1]), p90=_ms(measured[3 * i + 2]))
            for i, measure in enumerate(measures)
        }
        per_score = measured[3 * len(measures) :]
        distribution = {score: given for score, given in zip(SCORES, per_score, strict=False) if given}
        tallies[key] = Tally(count=count, spreads=spreads, csat=_csat_of(distribution))
    return tallies


def _csat_of(distribution: dict[int, int]) -> Csat:
    given = sum(distribution.values())
    average = sum(rating * count for rating, count in distribution.items()) / given if given else None
    return Csat(count=given, average=average, distribution=dict(sorted(distribution.items())))


async def local_days(
    session: AsyncSession, where: Where, moment: InstrumentedAttribute[Any], zone: str
) -> Counter[date]:
    """How many tickets `where` holds on each day, `moment` counted in the time zone `zone`."""
    if _in_database(session):
        day = cast(func.timezone(zone, moment), Date)
        rows = await session.execute(select(day, func.count()).where(*where).group_by(day))
        return Counter({found: count for found, count in rows})
    tz = ZoneInfo(zone)
    stream = await session.stream_scalars(select(moment).where(*where))
    return Counter([when.astimezone(tz).date() async for when in stream if isinstance(when, datetime)])


async def weekday_hours(
    session: AsyncSession, where: Where, moment: InstrumentedAttribute[Any], zone: str
) -> Counter[tuple[int, int]]:
    """How many tickets `where` holds per (weekday, 0 = Monday; hour), `moment` counted in the time zone `zone`."""
    if _in_database(session):
        local = func.timezone(zone, moment)
        weekday, hour = extract("isodow", local), extract("hour", local)
        rows = await session.execute(select(weekday, hour, func.count()).where(*where).group_by(weekday, hour))
        return Counter({(int(day) - 1, int(at)): count for day, at, count in rows})
    tz = ZoneInfo(zone)
    stream = await session.stream_scalars(select(moment).where(*where))
    cells: Counter[tuple[int, int]] = Counter()
    async for when in stream:
        local_time = when.astimezone(tz)
        cells[(local_time.weekday(), local_time.hour)] += 1
    return cells
