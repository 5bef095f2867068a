"""A connection's session inside a worker: the state machine from ARCHITECTURE.md, driven by engine events."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import EventLog
from tests.worker.scripted_engine import ScriptedEngine
from zapdesk.connections.models import Connection, ConnectionCommand, ConnectionStatus, DesiredState, Provider
from zapdesk.context import AppContext
from zapdesk.db.base import utcnow
from zapdesk.dead_letters.models import DeadLetter
from zapdesk.engine import codec
from zapdesk.engine.base import Engine, EventHandler
from zapdesk.engine.events import Chat, EngineState, MessageReceived, QrCode, Sender, StateChanged, TextContent
from zapdesk.kit.clock import ManualClock
from zapdesk.worker.runner import ConnectionRow, ConnectionRunner, Inbound, InboundEvent, RunnerDeps


@dataclass
class NullOutbox:
    nudges: int = 0
    closed: bool = False

    def nudge(self) -> None:
        self.nudges += 1

    async def close(self) -> None:
        self.closed = True


@dataclass
class Harness:
    context: AppContext
    engines: list[ScriptedEngine] = field(default_factory=list)
    ingested: list[InboundEvent] = field(default_factory=list)
    transactions: list[list[InboundEvent]] = field(default_factory=list)
    # While set and not released, the pipeline waits inside its transaction (the database is slow).
    slow: asyncio.Event | None = None
    # Messages with these external ids make the pipeline fail (a bug on one strange message).
    poison: set[str] = field(default_factory=set)
    outboxes: list[NullOutbox] = field(default_factory=list)
    clock: ManualClock = field(default_factory=ManualClock)

    def deps(self) -> RunnerDeps:
        def build(provider: str, key: str, handler: EventHandler) -> Engine:
            engine = ScriptedEngine(key, handler)
            self.engines.append(engine)
            return engine

        async def ingest(_session: AsyncSession, batch: Sequence[Inbound]) -> None:
            events = [event for _connection_id, event in batch]
            self.transactions.append(events)
            if self.slow is not None:
                await self.slow.wait()
            if any(isinstance(event, MessageReceived) and event.external_id in self.poison for event in events):
                raise ValueError("the pipeline cannot take this message")
            self.ingested.extend(events)

        def start_outbox(_connection_id: int, _engine: Engine, _connected: Callable[[], bool]) -> NullOutbox:
            outbox = NullOutbox()
            self.outboxes.append(outbox)
            return outbox

        return RunnerDeps(
            settings=self.context.settings,
            sessionmaker=self.context.sessionmaker,
            sink=self.context.sink,
            build_engine=build,
            ingest=ingest,
            start_outbox=start_outbox,
            start_downloader=lambda _connection_id, _engine, _connected: NullOutbox(),
            clock=self.clock,
        )

    @property
    def engine(self) -> ScriptedEngine:
        return self.engines[-1]

    async def row(self, connection_id: int) -> ConnectionRow:
        connection = await self.connection(connection_id)
        return ConnectionRow(
            id=connection.id,
            provider=connection.provider,
            desired_state=connection.desired_state,
            pending_command=connection.pending_command,
            command_seq=connection.command_seq,
            session_ref=connection.session_ref,
            pairing_phone=connection.pairing_phone,
        )

    async def connection(self, connection_id: int) -> Connection:
        async with self.context.sessionmaker() as session:
            connection = await session.get(Connection, connection_id)
            assert connection is not None
            return connection

    async def update(self, connection_id: int, **values: object) -> None:
        async with self.context.sessionmaker() as session:
            connection = await session.get(Connection, connection_id)
            assert connection is not None
            for name, value in values.items():
                setattr(connection, name, value)
            await session.commit()


@pytest.fixture
def harness(context: AppContext) -> Harness:
    return Harness(context)


async def _running_connection(context: AppContext, **values: object) -> int:
    async with context.sessionmaker() as session:
        connection = Connection(
            name="Vendas", provider=Provider.SIMULATOR, desired_state=DesiredState.RUNNING, command_seq=1, **values
        )
        session.add(connection)
        await session.commit()
        return connection.id


async def _runner(harness: Harness, connection_id: int) -> ConnectionRunner:
    runner = ConnectionRunner(await harness.row(connection_id), harness.deps())
    await runner.reconcile(await harness.row(connection_id))
    return runner


async def test_a_new_connection_opens_a_qr_window_and_stores_each_code(harness: Harness, published: EventLog) -> None:
    connection_id = await _running_connection(harness.context)
    await _runner(harness, connection_id)
    assert harness.engine.started[0].session_ref is None
    expires = utcnow() + timedelta(seconds=60)
    await harness.engine.emit(QrCode("2@first", expires))
    await harness.engine.emit(QrCode("2@second", expires))
    stored = await harness.connection(connection_id)
    assert (stored.status, stored.qr_code) == (ConnectionStatus.QR, "2@second")
    assert [event.payload["code"] for event in published.named("connection.qr")] == ["2@first", "2@second"]
    assert all(event.rooms == ("admins",) for event in published.named("connection.qr"))


async def test_connected_stores_the_number_and_the_session_to_resume_and_wakes_the_outbox(harness: Harness) -> None:
    connection_id = await _running_connection(harness.context)
    await _runner(harness, connection_id)
    await harness.engine.emit(QrCode("2@code", utcnow() + timedelta(seconds=60)))
    await harness.engine.emit(StateChanged(EngineState.CONNECTED, phone="5511999991111", session_ref="token-1"))
    stored = await harness.connection(connection_id)
    assert (stored.status, stored.phone, stored.session_ref) == (ConnectionStatus.CONNECTED, "5511999991111", "token-1")
    assert stored.qr_code is None
    assert harness.outboxes[-1].nudges == 1


async def test_a_stored_session_is_resumed_without_a_scan(harness: Harness) -> None:
    connection_id = await _running_connection(harness.context, session_ref="token-9")
    await _runner(harness, connection_id)
    assert harness.engine.started[0].session_ref == "token-9"


async def test_logged_out_by_the_phone_forgets_the_session_and_waits_for_a_person(harness: Harness) -> None:
    connection_id = await _running_connection(harness.context, session_ref="token-1")
    runner = await _runner(harness, connection_id)
    await harness.engine.emit(StateChanged(EngineState.LOGGED_OUT, reason="401"))
    await _settle(lambda: runner.finished)
    stored = await harness.connection(connection_id)
    assert (stored.status, stored.session_ref, stored.desired_state) == (
        ConnectionStatus.LOGGED_OUT,
        None,
        DesiredState.STOPPED,
    )
    assert harness.engine.stopped == 1


async def test_replaced_is_never_reconnected_automatically(harness: Harness) -> None:
    connection_id = await _running_connection(harness.context, session_ref="token-1")
    runner = await _runner(harness, connection_id)
    await harness.engine.emit(StateChanged(EngineState.REPLACED))
    await _settle(lambda: runner.finished)
    await runner.reconcile(await harness.row(connection_id))
    assert len(harness.engines) == 1
    assert (await harness.connection(connection_id)).status == ConnectionStatus.REPLACED


async def test_a_qr_window_that_ends_unscanned_stops_without_looping(harness: Harness) -> None:
    connection_id = await _running_connection(harness.context)
    runner = await _runner(harness, connection_id)
    await harness.engine.emit(StateChanged(EngineState.QR_EXPIRED))
    await _settle(lambda: runner.finished)
    await runner.reconcile(await harness.row(connection_id))
    stored = await harness.connection(connection_id)
    assert (stored.status, stored.desired_state) == (ConnectionStatus.QR_EXPIRED, DesiredState.STOPPED)
    assert len(harness.engines) == 1


async def test_a_failed_connect_is_retried_with_backoff_then_gives_up(harness: Harness) -> None:
    harness.context.settings.connect_retry_limit = 2
    connection_id = await _running_connection(harness.context, session_ref="token-1")
    runner = await _runner(harness, connection_id)
    await harness.engine.emit(StateChanged(EngineState.FAILED, reason="network down"))
    assert (await harness.connection(connection_id)).status == ConnectionStatus.RECONNECTING
    await harness.clock.until_sleeping()
    # Half a second at the least: not started again before its backoff.
    await harness.clock.advance(0.49)
    assert len(harness.engines) == 1
    await harness.clock.advance(harness.context.settings.connect_retry_max_seconds)
    await _settle(lambda: len(harness.engines) == 2)
    assert harness.engine.started[0].session_ref == "token-1"
    await harness.engine.emit(StateChanged(EngineState.FAILED, reason="network down"))
    await harness.clock.until_sleeping()
    await harness.clock.advance(harness.context.settings.connect_retry_max_seconds)
    await _settle(lambda: len(harness.engines) == 3)
    await harness.engine.emit(StateChanged(EngineState.FAILED, reason="network down"))
    await _settle(lambda: runner.finished)
    stored = await harness.connection(connection_id)
    assert (stored.status, stored.status_reason) == (ConnectionStatus.FAILED, "network down")


async def test_a_session_stuck_reconnecting_is_started_again_by_the_watchdog(harness: Harness) -> None:
    harness.context.settings.reconnect_watchdog_seconds = 1.0
    connection_id = await _running_connection(harness.context, session_ref="token-1")
    runner = await _runner(harness, connection_id)
    await harness.engine.emit(StateChanged(EngineState.RECONNECTING, reason="stream closed"))
    await runner.reconcile(await harness.row(connection_id))
    assert len(harness.engines) == 1
    await harness.clock.advance(0.9)
    await runner.reconcile(await harness.row(connection_id))
    assert len(harness.engines) == 1  # not yet: reconnecting for less than the watchdog's time
    await harness.clock.advance(0.2)
    await runner.reconcile(await harness.row(connection_id))
    assert len(harness.engines) == 2
    assert harness.engines[0].stopped == 1


async def test_the_logout_command_unlinks_and_forgets_the_session(harness: Harness) -> None:
    connection_id = await _running_connection(harness.context, session_ref="token-1")
    runner = await _runner(harness, connection_id)
    await harness.update(
        connection_id,
        pending_command=ConnectionCommand.LOGOUT,
        desired_state=DesiredState.STOPPED,
        command_seq=2,
    )
    await runner.reconcile(await harness.row(connection_id))
    stored = await harness.connection(connection_id)
    assert harness.engines[0].logged_out == 1
    assert (stored.status, stored.session_ref, stored.pending_command) == (ConnectionStatus.STOPPED, None, None)
    assert runner.finished


async def test_restart_command_stops_and_resumes_the_session(harness: Harness) -> None:
    connection_id = await _running_connection(harness.context, session_ref="token-1")
    runner = await _runner(harness, connection_id)
    await harness.engine.emit(StateChanged(EngineState.CONNECTED, phone="551100000000", session_ref="token-1"))
    await harness.update(connection_id, pending_command=ConnectionCommand.RESTART, command_seq=2)
    await runner.reconcile(await harness.row(connection_id))
    assert harness.engines[0].stopped == 1
    assert harness.engines[1].started[0].session_ref == "token-1"
    assert (await harness.connection(connection_id)).pending_command is None


async def test_messages_are_handed_to_the_pipeline_before_the_handler_returns(harness: Harness) -> None:
    connection_id = await _running_connection(harness.context, session_ref="token-1")
    await _runner(harness, connection_id)
    message = _text_message("ABC")
    await harness.engine.emit(message)
    assert harness.ingested == [message]


def _text_message(external_id: str, text: str = "Oi") -> MessageReceived:
    return MessageReceived(
        external_id=external_id,
        chat=Chat("5511988887777"),
        sender=Sender(phone="5511988887777", push_name="Ana"),
        from_me=False,
        timestamp=utcnow(),
        content=TextContent(text),
    )


async def test_messages_handed_over_while_others_are_stored_share_one_transaction_in_order(harness: Harness) -> None:
    connection_id = await _running_connection(harness.context, session_ref="token-1")
    runner = await _runner(harness, connection_id)
    harness.slow = asyncio.Event()
    first, *backlog = [_text_message(f"M{number}") for number in range(5)]

    handlers = [asyncio.create_task(harness.engine.emit(first))]
    await _settle(lambda: len(harness.transactions) == 1)
    handlers += [asyncio.create_task(harness.engine.emit(message)) for message in backlog]
    await _settle(lambda: runner._group_commit.waiting == len(backlog))  # the backlog waits behind the first commit
    assert not any(handler.done() for handler in handlers)  # nothing is acknowledged before its commit
    harness.slow.set()
    await asyncio.wait_for(asyncio.gather(*handlers), 5)

    assert harness.transactions == [[first], backlog]
    assert harness.ingested == [first, *backlog]


async def test_a_message_the_pipeline_cannot_take_is_kept_as_a_dead_letter_and_the_others_of_its_batch_are_stored(
    harness: Harness,
) -> None:
    connection_id = await _running_connection(harness.context, session_ref="token-1")
    await _runner(harness, connection_id)
    harness.slow = asyncio.Event()
    harness.poison = {"BAD"}
    messages = [_text_message(external_id) for external_id in ("M0", "M1", "BAD", "M3")]

    handlers = [asyncio.create_task(harness.engine.emit(message)) for message in messages]
    await _settle(lambda: len(harness.transactions) == 1)
    harness.slow.set()
    results = await asyncio.wait_for(asyncio.gather(*handlers, return_exceptions=True), 5)

    assert results == [None, None, None, None]  # every one acknowledged: stored, or kept to be retried
    assert [event.external_id for event in harness.ingested if isinstance(event, MessageReceived)] == [
        "M0",
        "M1",
        "M3",
    ]
    async with harness.context.sessionmaker() as session:
        (dead_letter,) = (await session.execute(select(DeadLetter))).scalars()
    assert (dead_letter.connection_id, dead_letter.external_id) == (connection_id, "BAD")
    assert codec.decode_event(dead_letter.event) == messages[2]
    assert "the pipeline cannot take this message" in dead_letter.error


async def _settle(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    async def wait() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(wait(), timeout)


async def test_logging_out_a_stopped_but_linked_session_resumes_it_only_to_unlink_it(harness: Harness) -> None:
    async with harness.context.sessionmaker() as session:
        connection = Connection(
            name="Parada",
            provider=Provider.SIMULATOR,
            desired_state=DesiredState.STOPPED,
            pending_command=ConnectionCommand.LOGOUT,
            command_seq=3,
            session_ref="token-7",
        )
        session.add(connection)
        await session.commit()
    runner = await _runner(harness, connection.id)
    (engine,) = harness.engines
    assert engine.started[0].session_ref == "token-7"
    assert (engine.logged_out, engine.stopped) == (1, 1)
    assert (await harness.connection(connection.id)).session_ref is None
    assert runner.finished


async def test_a_pairing_that_fails_opens_no_second_qr_window(harness: Harness) -> None:
    connection_id = await _running_connection(harness.context)
    runner = await _runner(harness, connection_id)
    await harness.engine.emit(StateChanged(EngineState.FAILED, reason="WhatsApp refused to link this device"))
    await _settle(lambda: runner.finished)

    stored = await harness.connection(connection_id)
    assert (stored.status, stored.desired_state) == (ConnectionStatus.FAILED, DesiredState.STOPPED)
    assert stored.status_reason == "WhatsApp refused to link this device"
    assert len(harness.engines) == 1
