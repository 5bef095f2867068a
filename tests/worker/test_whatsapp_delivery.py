"""At-least-once into our database with the built engine program: WhatsApp's receipt waits for our commit.

A connection's runner, the worker's inbox, the real ingest pipeline and the debug engine program (offline
sessions, events injected through whatsmeow's own handlers). `deliver` plays WhatsApp: it sends each message
again until whatsmeow's handler succeeds, which is when the real whatsmeow would send the receipt.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import ParamSpec, TypeVar

import pytest
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from tests.conftest import make_settings
from tests.engine.neonize.protos import jid, message_event
from tests.engine.whatsapp.conftest import DEBUG_BINARY
from tests.engine.whatsapp.inject import message_event as protocol_message
from zapdesk.config import Settings
from zapdesk.connections.models import Connection, DesiredState, Provider
from zapdesk.context import AppContext
from zapdesk.dead_letters.models import DeadLetter
from zapdesk.engine.base import EngineError
from zapdesk.engine.events import EngineState
from zapdesk.engine.whatsapp import close_hosts, host_for
from zapdesk.engine.whatsapp.host import EngineHost
from zapdesk.engine.whatsapp.protocol import zapdesk_engine_pb2 as pb
from zapdesk.ingest import inbox
from zapdesk.ingest.models import InboxEntry
from zapdesk.messages.models import Message as StoredMessage
from zapdesk.worker.group_commit import GroupCommit
from zapdesk.worker.inbox import Inbox
from zapdesk.worker.pipeline import runner_deps
from zapdesk.worker.runner import ConnectionRow, ConnectionRunner, RunnerDeps

VERDICT_TIMEOUT = 5.0
P = ParamSpec("P")
T = TypeVar("T")


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(
        database_url,
        tmp_path / "data",
        whatsapp_engine_binary=DEBUG_BINARY,
        whatsapp_engine_flags="-offline",
        whatsapp_verdict_timeout_seconds=VERDICT_TIMEOUT,
    )


@dataclass
class Gate:
    """Holds a step inside its transaction while closed (the database is slow), or fails it."""

    opened: asyncio.Event = field(default_factory=asyncio.Event)
    entered: asyncio.Event = field(default_factory=asyncio.Event)
    failure: Exception | None = None

    def __post_init__(self) -> None:
        self.opened.set()

    def wrap(self, step: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
        async def gated(*args: P.args, **kwargs: P.kwargs) -> T:
            self.entered.set()
            await self.opened.wait()
            if self.failure is not None:
                raise self.failure
            return await step(*args, **kwargs)

        return gated


@dataclass
class Linked:
    context: AppContext
    host: EngineHost
    writes: Gate  # the raw events' commit into the inbox, which WhatsApp's receipt waits for
    pipeline: Gate  # storing them as contacts, tickets and messages
    runners: list[ConnectionRunner]
    rows: list[ConnectionRow]

    async def stored(self) -> dict[str, int]:
        """How many times each external id is stored."""
        async with self.context.sessionmaker() as session:
            rows = await session.execute(
                select(StoredMessage.external_id, func.count()).group_by(StoredMessage.external_id)
            )
            return {external_id: count for external_id, count in rows.all()}

    async def in_inbox(self) -> int:
        async with self.context.sessionmaker() as session:
            return await session.scalar(select(func.count()).select_from(InboxEntry)) or 0

    async def all_stored(self, expected: dict[str, int]) -> None:
        """Wait until the pipeline stored what the inbox holds, and check what it stored."""
        async with asyncio.timeout(20):
            while await self.in_inbox():
                await asyncio.sleep(0.02)
        assert await self.stored() == expected


@pytest.fixture
async def link(
    context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Callable[[int], Awaitable[Linked]]]:
    runners: list[ConnectionRunner] = []

    async def linked(connections: int) -> Linked:
        writes, pipeline = Gate(), Gate()
        monkeypatch.setattr(inbox, "add", writes.wrap(inbox.add))
        deps = worker_deps(context, pipeline)
        rows = []
        host = host_for(context.settings)
        for n in range(connections):
            device = f"55119000{n:05d}:3@s.whatsapp.net"
            await host.request("setup", debug_create_device=pb.DebugCreateDevice(device_jid=device))
            async with context.sessionmaker() as session:
                connection = Connection(
                    name=f"Linha {n}",
                    provider=Provider.WHATSAPP,
                    desired_state=DesiredState.RUNNING,
                    command_seq=1,
                    session_ref=device,
                )
                session.add(connection)
                await session.commit()
                row = ConnectionRow(connection.id, Provider.WHATSAPP, DesiredState.RUNNING, None, 1, device, None)
            rows.append(row)
            runner = ConnectionRunner(row, deps)
            runners.append(runner)
            await runner.reconcile(row)
        await until(lambda: all(runner.state is EngineState.CONNECTED for runner in runners))
        return Linked(context, host, writes, pipeline, runners, rows)

    yield linked
    for runner in runners:
        await runner.close()
    await close_hosts()
    await _drop_whatsmeow_tables(context)


def worker_deps(context: AppContext, pipeline: Gate) -> RunnerDeps:
    """A worker's wiring, its pipeline behind `pipeline`."""
    deps = runner_deps(context.settings, context.sessionmaker, context.sink)
    gated = pipeline.wrap(deps.ingest)
    group_commit = GroupCommit(context.sessionmaker, context.sink, gated, clock=deps.clock, regather=0.0)
    inbox = Inbox(context.sessionmaker, group_commit, clock=deps.clock)
    return replace(deps, ingest=gated, inbox=inbox)


async def _drop_whatsmeow_tables(context: AppContext) -> None:
    """The program made whatsmeow's tables in the suite's shared database: leave it as other tests expect it."""
    async with context.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = await connection.execute(text("SELECT tablename FROM pg_tables WHERE tablename LIKE 'whatsmeow%'"))
            tables = ", ".join(names.scalars())
            if tables:
                await connection.execute(text(f"DROP TABLE {tables} CASCADE"))
            return
        await connection.execute(text("PRAGMA foreign_keys=OFF"))
        names = await connection.execute(
            text("SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'whatsmeow%'")
        )
        for table in list(names.scalars()):
            await connection.execute(text(f"DROP TABLE {table}"))


async def until(condition: Callable[[], bool], *, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


def end_the_pipeline_as_a_dying_process_would() -> None:
    """Cancel the worker's inbox and group commit tasks: the transaction they hold goes with them, uncommitted."""
    for task in asyncio.all_tasks():
        owner = getattr(task.get_coro(), "__qualname__", "").split(".")[0]
        if owner in {"Inbox", "GroupCommit"}:
            task.cancel()


def customer_message(message_id: str, customer: int) -> pb.Event:
    phone = f"55119888{customer:05d}"
    return protocol_message(message_event(Message(conversation=message_id), message_id=message_id, chat=jid(phone)))


async def deliver(host: EngineHost, runner: ConnectionRunner, events: Sequence[pb.Event]) -> int:
    """WhatsApp's side: each event in order, sent again until whatsmeow's handler succeeded (the receipt).
    Returns how many deliveries failed."""
    failures = 0
    for event in events:
        while True:
            try:
                response = await host.request(str(runner.connection_id), debug_inject=pb.DebugInject(event=event))
            except EngineError:
                response = None  # the session is not (yet) running again: WhatsApp tries on the next connection
            if response is not None and not response.handler_failed:
                break
            failures += 1
            await asyncio.sleep(0.05)
    return failures


async def test_whatsmeows_handler_succeeds_only_after_the_message_is_committed_in_the_inbox(
    link: Callable[[int], Awaitable[Linked]],
) -> None:
    linked = await link(1)
    (runner,) = linked.runners
    linked.writes.opened.clear()

    delivery = asyncio.create_task(
        linked.host.request(str(runner.connection_id), debug_inject=pb.DebugInject(event=customer_message("M1", 1)))
    )
    await asyncio.wait_for(linked.writes.entered.wait(), 10)

    assert not delivery.done()
    assert await linked.in_inbox() == 0
    linked.writes.opened.set()
    assert (await delivery).handler_failed is False
    async with linked.context.sessionmaker() as session:
        # One statement, one snapshot: the pipeline may be moving it from the inbox to the messages meanwhile.
        committed = await session.scalar(
            text(
                "SELECT (SELECT count(*) FROM inbound_inbox) + (SELECT count(*) FROM messages WHERE external_id = 'M1')"
            )
        )
    assert committed == 1  # visible to another session: committed
    await linked.all_stored({"M1": 1})


async def test_an_ingest_bug_keeps_the_message_as_a_dead_letter_and_lets_whatsmeow_acknowledge_it(
    link: Callable[[int], Awaitable[Linked]],
) -> None:
    linked = await link(1)
    (runner,) = linked.runners
    linked.pipeline.failure = ValueError("the pipeline cannot take this message")

    response = await linked.host.request(
        str(runner.connection_id), debug_inject=pb.DebugInject(event=customer_message("M1", 1))
    )

    assert response.handler_failed is False
    await linked.all_stored({})
    async with linked.context.sessionmaker() as session:
        (dead_letter,) = (await session.execute(select(DeadLetter))).scalars()
    assert dead_letter.external_id == "M1" and "cannot take this message" in dead_letter.error


async def test_a_database_away_past_the_timeout_fails_whatsmeows_handler_and_the_redelivery_is_stored_once(
    link: Callable[[int], Awaitable[Linked]],
) -> None:
    linked = await link(1)
    (runner,) = linked.runners
    linked.writes.failure = OperationalError("INSERT", {}, ConnectionRefusedError("the server is restarting"))
    message = pb.DebugInject(event=customer_message("M1", 1))

    first = await linked.host.request(str(runner.connection_id), debug_inject=message)
    linked.writes.failure = None  # the database is back: the worker's own retry stores it
    again = await linked.host.request(str(runner.connection_id), debug_inject=message)

    assert first.handler_failed is True  # no receipt: WhatsApp delivers it again
    assert again.handler_failed is False
    await linked.all_stored({"M1": 1})


async def test_killing_the_engine_program_mid_batch_stores_every_message_exactly_once(
    link: Callable[[int], Awaitable[Linked]],
) -> None:
    linked = await link(3)
    linked.writes.opened.clear()
    expected = {f"C{c}M{m:02d}" for c in range(3) for m in range(10)}
    deliveries = [
        asyncio.create_task(deliver(linked.host, runner, [customer_message(f"C{c}M{m:02d}", c) for m in range(10)]))
        for c, runner in enumerate(linked.runners)
    ]
    await asyncio.wait_for(linked.writes.entered.wait(), 10)
    program = linked.host.process
    assert program is not None

    os.kill(program.pid, signal.SIGKILL)
    await until(lambda: linked.host.process is not program)
    linked.writes.opened.set()
    failures = await asyncio.wait_for(asyncio.gather(*deliveries), 60)

    assert sum(failures) >= 1  # the batch's messages were delivered again
    await linked.all_stored(dict.fromkeys(expected, 1))


async def test_a_worker_dying_after_the_receipt_leaves_the_messages_to_the_next_start_of_their_session(
    link: Callable[[int], Awaitable[Linked]],
) -> None:
    linked = await link(1)
    (runner,), (row,) = linked.runners, linked.rows
    linked.pipeline.opened.clear()  # the worker dies before its pipeline stores anything
    failures = await deliver(linked.host, runner, [customer_message(f"M{m}", 1) for m in range(5)])
    assert failures == 0
    assert await linked.in_inbox() == 5
    assert await linked.stored() == {}

    await runner.close()
    end_the_pipeline_as_a_dying_process_would()
    restarted = ConnectionRunner(row, worker_deps(linked.context, Gate()))
    linked.runners.append(restarted)
    await restarted.reconcile(row)

    await linked.all_stored({f"M{m}": 1 for m in range(5)})
