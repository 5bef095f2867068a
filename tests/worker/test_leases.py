"""Leases: a session is held by exactly one process, and a dead holder's sessions can be taken over."""

from __future__ import annotations

import asyncio

from zapdesk.connections.models import Connection, DesiredState
from zapdesk.context import AppContext
from zapdesk.db.base import utcnow
from zapdesk.db.uow import unit_of_work
from zapdesk.kit.clock import SYSTEM_CLOCK, Clock, ManualClock
from zapdesk.worker import leases


async def _wanted_connection(context: AppContext, name: str = "Vendas") -> int:
    async with context.sessionmaker() as session:
        connection = Connection(name=name, desired_state=DesiredState.RUNNING)
        session.add(connection)
        await session.commit()
        return connection.id


async def _claim(
    context: AppContext, owner: str, connection_id: int, ttl: float = 30, *, clock: Clock = SYSTEM_CLOCK
) -> bool:
    async with unit_of_work(context.sessionmaker) as session:
        return await leases.claim(session, owner, connection_id, ttl, now=clock.now())


async def test_two_workers_racing_for_a_session_leave_exactly_one_holder(context: AppContext) -> None:
    connection_id = await _wanted_connection(context)
    results = await asyncio.gather(*(_claim(context, f"worker-{n}", connection_id) for n in range(4)))
    assert sorted(results) == [False, False, False, True]


async def test_an_expired_lease_can_be_taken_over_and_not_a_moment_before(context: AppContext) -> None:
    connection_id = await _wanted_connection(context)
    clock = ManualClock(start=utcnow())
    assert await _claim(context, "dead", connection_id, ttl=15, clock=clock)
    await clock.advance(14.9)
    assert not await _claim(context, "alive", connection_id, clock=clock)
    await clock.advance(0.2)
    assert await _claim(context, "alive", connection_id, clock=clock)


async def test_a_held_lease_is_renewed_by_its_owner_only(context: AppContext) -> None:
    connection_id = await _wanted_connection(context)
    assert await _claim(context, "a", connection_id)
    async with unit_of_work(context.sessionmaker) as session:
        assert await leases.renew(session, "a", 30, now=utcnow()) == {connection_id}
        assert await leases.renew(session, "b", 30, now=utcnow()) == set()


async def test_releasing_a_dead_workers_leases_frees_its_sessions_at_once(context: AppContext) -> None:
    connection_id = await _wanted_connection(context)
    assert await _claim(context, "dead", connection_id)
    assert not await _claim(context, "next", connection_id)
    async with unit_of_work(context.sessionmaker) as session:
        await leases.release_all(session, "dead")
    async with unit_of_work(context.sessionmaker) as session:
        assert await leases.wanted_connection_ids(session, "next", 10, now=utcnow()) == [connection_id]
    assert await _claim(context, "next", connection_id)


async def test_only_running_sessions_or_ones_with_a_command_need_a_holder(context: AppContext) -> None:
    running = await _wanted_connection(context)
    async with context.sessionmaker() as session:
        session.add(Connection(name="Parada", desired_state=DesiredState.STOPPED))
        await session.commit()
    async with unit_of_work(context.sessionmaker) as session:
        assert await leases.wanted_connection_ids(session, "w", 10, now=utcnow()) == [running]


async def test_a_worker_holding_more_than_its_free_room_still_finds_the_sessions_it_may_take(
    context: AppContext,
) -> None:
    held = [await _wanted_connection(context, f"Linha {n}") for n in range(3)]
    waiting = await _wanted_connection(context, "Linha 3")
    for connection_id in held:
        assert await _claim(context, "w", connection_id)

    async with unit_of_work(context.sessionmaker) as session:
        # Room for one more (a share of 4, 3 held): the one nobody holds, not one it holds already.
        assert await leases.wanted_connection_ids(session, "w", 1, now=utcnow()) == [waiting]
