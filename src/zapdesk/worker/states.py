"""The states a worker's sessions report, stored together: what each reports while earlier reports are being
stored waits, and all go in the next transaction.

A restart resumes every session of the worker at once, and each reports STARTING, then CONNECTED. One
transaction per report made a thousand sessions take as long as two thousand commits (and as many batches on
their way to the browsers); grouped, they take a few dozen.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from zapdesk.connections.service import StateReport, record_states
from zapdesk.db.events import EventSink
from zapdesk.db.uow import unit_of_work
from zapdesk.kit.group_commit import GroupCommit


class StateWriter:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], sink: EventSink) -> None:
        self._sessionmaker = sessionmaker
        self._sink = sink
        self._group: GroupCommit[StateReport] = GroupCommit(self._store)

    async def record(self, report: StateReport) -> None:
        """Return once `report` is committed (and published); raise what kept it from being stored."""
        await self._group.submit(report)

    async def _store(self, reports: Sequence[StateReport]) -> None:
        async with unit_of_work(self._sessionmaker, self._sink) as session:
            await record_states(session, reports)
