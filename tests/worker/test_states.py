"""The states a worker's sessions report are stored together: a restart resumes them all at once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlalchemy import select

from tests.conftest import EventLog
from zapdesk.connections.models import Connection, ConnectionStatus, DesiredState, Provider
from zapdesk.connections.service import StateReport
from zapdesk.context import AppContext
from zapdesk.db.events import Published
from zapdesk.worker.states import StateWriter


async def _connections(context: AppContext, count: int) -> list[int]:
    async with context.sessionmaker() as session:
        rows = [
            Connection(name=f"Linha {n}", provider=Provider.SIMULATOR, desired_state=DesiredState.RUNNING)
            for n in range(count)
        ]
        session.add_all(rows)
        await session.commit()
        return [row.id for row in rows]


async def test_states_reported_together_are_committed_together_each_in_its_order(
    context: AppContext, published: EventLog
) -> None:
    ids = await _connections(context, 40)
    commits: list[int] = []

    async def sink(events: Sequence[Published]) -> None:
        commits.append(len(events))
        await published(events)

    writer = StateWriter(context.sessionmaker, sink)

    async def resume(connection_id: int) -> None:
        await writer.record(StateReport(connection_id, ConnectionStatus.STARTING))
        phone = f"55119{connection_id:08d}"
        await writer.record(StateReport(connection_id, ConnectionStatus.CONNECTED, phone=phone, session_ref="t"))

    await asyncio.gather(*(resume(connection_id) for connection_id in ids))

    async with context.sessionmaker() as session:
        stored = {row.id: row for row in (await session.execute(select(Connection))).scalars()}
    assert {row.status for row in stored.values()} == {ConnectionStatus.CONNECTED}
    assert all(stored[i].phone == f"55119{i:08d}" and stored[i].session_ref == "t" for i in ids)
    # Each connection's two states reached the browsers in order; 80 states took far fewer transactions.
    for connection_id in ids:
        statuses = [
            e.payload["status"] for e in published.named("connection.updated") if e.payload["id"] == connection_id
        ]
        assert statuses == ["STARTING", "CONNECTED"]
    assert sum(commits) == 80 and len(commits) <= 10


async def test_a_state_of_a_connection_deleted_meanwhile_is_dropped_without_failing_the_others(
    context: AppContext,
) -> None:
    kept, deleted = await _connections(context, 2)
    async with context.sessionmaker() as session:
        await session.delete(await session.get_one(Connection, deleted))
        await session.commit()
    writer = StateWriter(context.sessionmaker, context.sink)

    await asyncio.gather(
        writer.record(StateReport(deleted, ConnectionStatus.CONNECTED)),
        writer.record(StateReport(kept, ConnectionStatus.CONNECTED)),
    )

    async with context.sessionmaker() as session:
        assert (await session.get_one(Connection, kept)).status == ConnectionStatus.CONNECTED
