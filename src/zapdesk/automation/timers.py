"""Timers: due rows in the database, armed and disarmed as messages come and go, fired once when due.

Arming and disarming during a reaction are planned first (`TimerPlan`) and written together at its end: many
messages of one batch then cost one statement, and the last word on a timer wins ("the agent wrote, the
customer answered, the agent wrote again" leaves the closing timer armed from the last agent message).

Firing claims the due rows FOR UPDATE SKIP LOCKED (PostgreSQL): with several workers, each row is claimed by
one, which acts and deletes it in one transaction. A worker killed halfway loses its transaction, actions and
deletion together, and the row is still due for the next claim: each timer acts exactly once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.automation.models import Timer, TimerKind


@dataclass(frozen=True, slots=True)
class _Arm:
    due_at: datetime
    after_message_id: int | None
    replace: bool  # a newer arming moves the due time; otherwise the earliest one stands


_CANCEL = None
TimerKey = tuple[int, TimerKind]
# Bulk deletes of rows the session may hold: nothing reads those objects after, so the ORM need not find them.
_UNSYNCHRONIZED = {"synchronize_session": False}


class TimerPlan:
    """The timer changes a reaction decided, written at its end."""

    def __init__(self) -> None:
        self._changes: dict[TimerKey, _Arm | None] = {}

    def arm(
        self, ticket_id: int, kind: TimerKind, due_at: datetime, *, after_message_id: int | None, replace: bool
    ) -> None:
        key = (ticket_id, kind)
        earlier = self._changes.get(key, ...)
        if not replace and isinstance(earlier, _Arm):
            return  # already armed in this reaction: the earlier due time stands
        # After a cancel in this reaction, the row is gone: this arming replaces it whatever `replace` says.
        self._changes[key] = _Arm(due_at, after_message_id, replace or earlier is _CANCEL)

    def cancel(self, ticket_id: int, *kinds: TimerKind) -> None:
        for kind in kinds:
            self._changes[(ticket_id, kind)] = _CANCEL

    async def write(self, session: AsyncSession) -> None:
        cancelled = [key for key, change in self._changes.items() if change is _CANCEL]
        if cancelled:
            statement = delete(Timer).where(tuple_(Timer.ticket_id, Timer.kind).in_(cancelled))
            await session.execute(statement, execution_options=_UNSYNCHRONIZED)
        armed = [(key, change) for key, change in self._changes.items() if isinstance(change, _Arm)]
        for replace in (True, False):
            rows = [
                {"ticket_id": ticket_id, "kind": kind, "due_at": arm.due_at, "after_message_id": arm.after_message_id}
                for (ticket_id, kind), arm in armed
                if arm.replace == replace
            ]
            if rows:
                await _upsert(session, rows, replace=replace)
        self._changes.clear()


async def _upsert(session: AsyncSession, rows: Sequence[Mapping[str, object]], *, replace: bool) -> None:
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(Timer)
    keys = [Timer.ticket_id, Timer.kind]
    if replace:
        excluded = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=keys,
            set_={"due_at": excluded.due_at, "after_message_id": excluded.after_message_id, "created_at": func.now()},
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=keys)
    await session.execute(statement, rows)


# --- firing ----------------------------------------------------------------------------------------------------

# Acts on the timers one transaction claimed (and may plan timer changes of its own).
Fire = Callable[[AsyncSession, Sequence[Timer], datetime, TimerPlan], Awaitable[None]]


async def claim_due(session: AsyncSession, *, now: datetime, limit: int) -> list[Timer]:
    """Up to `limit` timers due at `now`, oldest first, held by this transaction (others skip them)."""
    query = (
        select(Timer)
        .where(Timer.due_at <= now)
        .order_by(Timer.due_at, Timer.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(query)).scalars())


async def next_due(session: AsyncSession) -> datetime | None:
    return (await session.execute(select(func.min(Timer.due_at)))).scalar()


async def fire_due(session: AsyncSession, fire: Fire, *, now: datetime, limit: int) -> int:
    """Fire the due timers this transaction claims, deleting each: how many fired."""
    claimed = await claim_due(session, now=now, limit=limit)
    if not claimed:
        return 0
    plan = TimerPlan()
    await fire(session, claimed, now, plan)
    # Claimed rows go first: a timer the firing armed anew for the same ticket and kind must stay.
    fired = delete(Timer).where(Timer.id.in_([timer.id for timer in claimed]))
    await session.execute(fired, execution_options=_UNSYNCHRONIZED)
    await plan.write(session)
    return len(claimed)
