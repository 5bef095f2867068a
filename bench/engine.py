"""(f) zapdesk-wa, our WhatsApp engine program: its socket, ingest with the receipt waiting for our commit,
1,000 whatsmeow clients in one process, and its build time.

Nothing reaches WhatsApp: the debug build's offline sessions connect at once, and `DebugFlood` hands a session's
whatsmeow handlers one message after another, as whatsmeow does for one session (each waits for its verdict).
- socket: the adapter answers every event at once (no database): events/s through the program and its socket.
- ingest: the adapter's handler is the worker's runner with the real pipeline: a verdict only after the commit
  of the raw message into the worker's inbox (one multi-row INSERT across sessions), which the pipeline then
  stores in batches of its own; timed until the last message is stored. Compared with the simulator engine's
  end-to-end rate for as many chats in this `make bench` run (bench/results/ingest.json), when there is one, on
  the same terms: as many messages per chat as its backlog held, and the rate taken as it takes it (messages /
  time from the first commit of a message to the last). The rate from the flood's start is shown beside it.
- 1,000 numbers: 1,000 stored devices resumed in one program; its resident memory and threads.
- build: `go build` of the program with an empty build cache (modules already downloaded), then after a change.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import func, select

from bench.report import RESULTS_DIR, Report
from bench.stack import database
from zapdesk.config import Settings
from zapdesk.connections.models import Connection, DesiredState, Provider
from zapdesk.context import AppContext
from zapdesk.db.events import Published
from zapdesk.db.migrate import upgrade_to_head
from zapdesk.engine.events import EngineEvent, EngineState
from zapdesk.engine.whatsapp import DEFAULT_BINARY, close_hosts, host_for
from zapdesk.engine.whatsapp.adapter import WhatsAppEngine
from zapdesk.engine.whatsapp.host import EngineHost, ProgramSpec
from zapdesk.engine.whatsapp.protocol import zapdesk_engine_pb2 as pb
from zapdesk.events import MessageCreated
from zapdesk.kit.heap import settle_heap
from zapdesk.messages.models import Message
from zapdesk.worker.pipeline import runner_deps
from zapdesk.worker.runner import ConnectionRow, ConnectionRunner

DEBUG_BINARY = DEFAULT_BINARY.with_name("zapdesk-wa-debug")
ENGINE_DIR = DEFAULT_BINARY.parents[1]
SOCKET_SESSIONS, SOCKET_MESSAGES = 50, 400
INGEST_SESSIONS = int(os.environ.get("BENCH_ENGINE_SESSIONS", "100"))
# Per session: as many as each chat of the simulator's end-to-end run wrote, else this many.
INGEST_MESSAGES = int(os.environ.get("BENCH_ENGINE_MESSAGES", "30"))
NUMBERS = int(os.environ.get("BENCH_ENGINE_NUMBERS", "1000"))
TARGET_RATIO = 0.8  # within 20 % of the simulator engine's end-to-end rate


def device(index: int) -> str:
    return f"55119{index:08d}:7@s.whatsapp.net"


def message(customer: int) -> pb.Event:
    """A customer's text message as the program forwards one (the flood numbers the ids)."""
    from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message as WaMessage

    phone = f"55218{customer:08d}@s.whatsapp.net"
    source = pb.MessageSource(chat=phone, sender=phone)
    content = WaMessage(conversation="bench").SerializeToString()
    return pb.Event(
        message=pb.MessageEvent(
            source=source, push_name="Cliente", timestamp_ms=int(time.time() * 1000), message=content
        )
    )


async def run(workdir: Path) -> Report:
    if not DEBUG_BINARY.is_file():
        raise RuntimeError(f"{DEBUG_BINARY} is missing: `make bench` builds it (make engine-debug)")
    report = Report("engine", "(f) zapdesk-wa, our WhatsApp engine program", ["measure", "figure", "detail"])
    await _socket(report, workdir / "socket")
    for kind in ("sqlite", "postgresql"):
        async with database(kind, workdir / kind) as url:
            await _ingest(report, kind, url, workdir / kind)
    await _numbers(report, workdir / "numbers")
    await asyncio.to_thread(_build, report, workdir / "build")
    report.notes.append(
        "whatsmeow hands one session's messages over one at a time, each after the previous one's verdict: the "
        "verdict waits for the commit of the raw events of all sessions into the worker's inbox, and the pipeline "
        "stores the inbox in batches of up to 500; the rate runs until the last message is stored."
    )
    return report


# --- the socket alone -------------------------------------------------------------------------------------------


async def _started(host: EngineHost, count: int, handler: object) -> list[WhatsAppEngine]:
    from zapdesk.engine.events import SessionTarget

    engines = []
    for n in range(count):
        await host.request("setup", debug_create_device=pb.DebugCreateDevice(device_jid=device(n)))
        engine = WhatsAppEngine(connection_key=f"s{n}", handler=handler, host=host)  # type: ignore[arg-type]
        await engine.start(SessionTarget(session_ref=device(n)))
        engines.append(engine)
    return engines


async def _socket(report: Report, workdir: Path) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    host = EngineHost(
        ProgramSpec(DEBUG_BINARY, f"sqlite:{workdir / 'store.db'}", flags=("-offline",), allow_debug_build=True)
    )
    handled = 0

    async def answer_at_once(event: EngineEvent) -> None:
        nonlocal handled
        handled += 1

    try:
        engines = await _started(host, SOCKET_SESSIONS, answer_at_once)
        started = time.perf_counter()
        results = await asyncio.gather(
            *(_flood(host, f"s{n}", message(n), SOCKET_MESSAGES, f"SOCK{n}X") for n in range(SOCKET_SESSIONS))
        )
        elapsed = time.perf_counter() - started
        for engine in engines:
            await engine.stop()
    finally:
        await host.close()
    total = SOCKET_SESSIONS * SOCKET_MESSAGES
    if sum(results):
        raise AssertionError(f"{sum(results)} of {total} events failed with nothing to fail on")
    report.add(
        measure="events/s through the engine socket alone",
        figure=total / elapsed,
        detail=f"{SOCKET_SESSIONS} sessions x {SOCKET_MESSAGES} messages, verdict at once, no database",
    )


async def _flood(host: EngineHost, session: str, event: pb.Event, count: int, first_id: str) -> int:
    flood = pb.DebugFlood(event=event, count=count, first_id=first_id)
    response = await host.request(session, debug_flood=flood)
    return int(response.failed)


# --- ingest with the verdict after the commit -------------------------------------------------------------------


async def _ingest(report: Report, kind: str, url: str, workdir: Path) -> None:
    settings = Settings(
        database_url=url,
        data_dir=workdir / "data",
        whatsapp_engine_binary=DEBUG_BINARY,
        whatsapp_engine_flags="-offline",
    )
    await asyncio.to_thread(upgrade_to_head, settings.migration_database_url)
    context = AppContext.from_settings(settings)
    runners: list[ConnectionRunner] = []
    baseline = _simulator_end_to_end(kind, INGEST_SESSIONS)
    per_session = INGEST_MESSAGES if baseline is None or "BENCH_ENGINE_MESSAGES" in os.environ else baseline.per_chat
    commits: list[float] = []  # when each batch holding messages was committed

    async def published(events: Sequence[Published]) -> None:
        if any(isinstance(item.event, MessageCreated) for item in events):
            commits.append(time.perf_counter())

    try:
        deps = replace(runner_deps(settings, context.sessionmaker, published), start_outbox=_no_outbox)
        host = host_for(settings)
        for n in range(INGEST_SESSIONS):
            await host.request("setup", debug_create_device=pb.DebugCreateDevice(device_jid=device(n)))
            async with context.sessionmaker() as session:
                connection = Connection(
                    name=f"bench {n}", provider=Provider.WHATSAPP, desired_state=DesiredState.RUNNING,
                    command_seq=1, session_ref=device(n),
                )  # fmt: skip
                session.add(connection)
                await session.commit()
                row = ConnectionRow(connection.id, Provider.WHATSAPP, DesiredState.RUNNING, None, 1, device(n), None)
            runner = ConnectionRunner(row, deps)
            runners.append(runner)
            await runner.reconcile(row)
        async with asyncio.timeout(60):
            while not all(runner.state is EngineState.CONNECTED for runner in runners):
                await asyncio.sleep(0.05)
        with _as_a_worker_process():
            started = time.perf_counter()
            failed = await asyncio.gather(
                *(
                    _flood(host, str(runner.connection_id), message(n), per_session, f"ING{n}X")
                    for n, runner in enumerate(runners)
                )
            )
            await deps.settle()  # the pipeline stores what the inbox still holds
            elapsed = time.perf_counter() - started
        async with context.sessionmaker() as session:
            stored = await session.scalar(select(func.count()).select_from(Message))
    finally:
        for runner in runners:
            await runner.close()
        await close_hosts()
        await context.close()
    total = INGEST_SESSIONS * per_session
    if sum(failed) or stored != total:
        raise AssertionError(f"{kind}: {stored} stored and {sum(failed)} failed deliveries for {total} messages")
    rate = total / (commits[-1] - commits[0])
    ratio = rate / baseline.rate if baseline else None
    report.add(
        f"≥ {TARGET_RATIO:.0%} of the simulator's {baseline.rate:,.0f}/s" if baseline else "",
        None if ratio is None else ratio >= TARGET_RATIO,
        measure=f"ingest, receipt after commit ({kind})",
        figure=rate,
        detail=(
            f"msg/s, first to last commit; {total / elapsed:,.0f}/s from the flood's start; {INGEST_SESSIONS} "
            f"sessions x {per_session}, every one stored once"
            + (f"; {ratio:.0%} of the simulator engine end to end" if ratio else "; no ingest.json to compare with")
        ),
    )


@contextlib.contextmanager
def _as_a_worker_process() -> Iterator[None]:
    """The collector as a worker process has it once started (`worker.main`, `settle_heap`), as in the simulator
    leg's worker process. Undone after, for the legs that follow."""
    thresholds = gc.get_threshold()
    settle_heap()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def _no_outbox(*_args: object) -> _NullOutbox:
    return _NullOutbox()


class _NullOutbox:
    def nudge(self) -> None:
        return None

    async def close(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class _SimulatorRun:
    rate: float  # messages / (last message.created - first)
    per_chat: int  # messages each chat wrote


def _simulator_end_to_end(kind: str, chats: int) -> _SimulatorRun | None:
    """The simulator engine's end-to-end run for `chats` chats, from this `make bench` run's ingest table."""
    path = RESULTS_DIR / "ingest.json"
    try:
        rows = json.loads(path.read_text())["rows"]
    except (OSError, ValueError, KeyError):
        return None
    for row in rows:
        if row.get("database") == kind and row.get("chats") == chats:
            return _SimulatorRun(float(row["end-to-end"]), int(row["backlog"]) // chats)
    return None


# --- 1,000 numbers in one program ---------------------------------------------------------------------------------


def _process_status(pid: int) -> tuple[float, int]:
    """(resident MB, threads) of a process."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["Threads"])


async def _numbers(report: Report, workdir: Path) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    host = EngineHost(
        ProgramSpec(DEBUG_BINARY, f"sqlite:{workdir / 'store.db'}", flags=("-offline",), allow_debug_build=True)
    )
    connected = 0

    async def count_connected(event: EngineEvent) -> None:
        nonlocal connected
        if getattr(event, "state", None) is EngineState.CONNECTED:
            connected += 1

    from zapdesk.engine.events import SessionTarget

    try:
        await host.ensure_running()
        assert host.process is not None
        for n in range(NUMBERS):
            await host.request("setup", debug_create_device=pb.DebugCreateDevice(device_jid=device(n)))
        empty_mb, empty_threads = _process_status(host.process.pid)
        started = time.perf_counter()
        engines = [WhatsAppEngine(connection_key=f"n{n}", handler=count_connected, host=host) for n in range(NUMBERS)]
        await asyncio.gather(*(engine.start(SessionTarget(session_ref=device(n))) for n, engine in enumerate(engines)))
        async with asyncio.timeout(120):
            while connected < NUMBERS:
                await asyncio.sleep(0.05)
        all_connected = time.perf_counter() - started
        await asyncio.sleep(2)  # let the runtime settle before reading its memory
        full_mb, full_threads = _process_status(host.process.pid)
        for engine in engines:
            await engine.stop()
    finally:
        await host.close()
    per_session_kb = (full_mb - empty_mb) * 1024 / NUMBERS
    report.add(
        measure=f"{NUMBERS:,} whatsmeow clients in one program: resident memory",
        figure=full_mb,
        detail=f"MB; {empty_mb:.0f} MB before the sessions, {per_session_kb:.0f} KB per session",
    )
    report.add(
        measure=f"{NUMBERS:,} whatsmeow clients in one program: OS threads",
        figure=full_threads,
        detail=f"{empty_threads} before the sessions (goroutines share them)",
    )
    report.add(
        measure=f"{NUMBERS:,} stored devices resumed to CONNECTED (offline)",
        figure=all_connected,
        detail="seconds, through the adapter",
    )


# --- build time -------------------------------------------------------------------------------------------------------


def _go() -> str:
    return subprocess.run(
        [str(ENGINE_DIR.parent / "scripts" / "go-command")], check=True, capture_output=True, text=True
    ).stdout.strip()


def _build(report: Report, workdir: Path) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GOCACHE": str(workdir / "gocache"), "GOFLAGS": "-mod=readonly"}
    command = [_go(), "build", "-trimpath", "-o", str(workdir / "zapdesk-wa"), "./cmd/zapdesk-wa"]
    started = time.perf_counter()
    subprocess.run(command, cwd=ENGINE_DIR, env=env, check=True)
    cold = time.perf_counter() - started
    main_go = ENGINE_DIR / "cmd" / "zapdesk-wa" / "main.go"
    os.utime(main_go)
    started = time.perf_counter()
    subprocess.run(command, cwd=ENGINE_DIR, env=env, check=True)
    warm = time.perf_counter() - started
    size_mb = (workdir / "zapdesk-wa").stat().st_size / 1024 / 1024
    shutil.rmtree(workdir / "gocache", ignore_errors=True)
    report.add(
        measure="engine build, empty build cache",
        figure=cold,
        detail=f"seconds (modules already downloaded); binary {size_mb:.0f} MB",
    )
    report.add(measure="engine rebuild after a change", figure=warm, detail="seconds")
