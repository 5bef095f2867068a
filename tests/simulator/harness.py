"""A live simulator network on a loopback port (restartable on the same port and state file) and engines on it.

Import the fixtures into a test module to use them: `from tests.simulator.harness import engines, simulator`.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn

from tests.loopback import CLIENT_LIMITS, tcp_listener
from zapdesk.engine.events import EngineEvent, EngineState, QrCode, SessionTarget, StateChanged
from zapdesk.engine.simulator import SimulatorEngine, SimulatorEngineOptions
from zapdesk.kit.clock import SYSTEM_CLOCK, Clock
from zapdesk.simulator.app import create_simulator_app
from zapdesk.simulator.config import SimulatorConfig

WAIT = 10.0  # generous: the test machine is shared
FAST_ENGINE = SimulatorEngineOptions(
    reconnect_initial_seconds=0.05, reconnect_max_seconds=0.3, request_timeout_seconds=5, heartbeat_seconds=5
)
EventT = TypeVar("EventT")


class _InLoopServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield  # pytest keeps the process's signals


@dataclass
class LiveSimulator:
    """The simulator app served by uvicorn in the test's loop; `restart()` keeps its port and state file."""

    config: SimulatorConfig
    # What the network's QR windows and receipts (and the engines built by `Engines`) wait on.
    clock: Clock = SYSTEM_CLOCK
    port: int = 0
    _server: _InLoopServer | None = None
    _task: asyncio.Task[None] | None = None
    _listener: socket.socket | None = None
    client: httpx.AsyncClient = field(init=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        listener = tcp_listener("127.0.0.1", self.port)
        self.port = listener.getsockname()[1]
        self._listener = listener
        config = uvicorn.Config(
            create_simulator_app(self.config, clock=self.clock),
            lifespan="on",
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=1,
        )
        self._server = _InLoopServer(config)
        self._task = asyncio.create_task(self._server.serve(sockets=[listener]))
        async with asyncio.timeout(WAIT):
            while not self._server.started:
                assert not self._task.done(), "the simulator failed to start"
                await asyncio.sleep(0.01)
        self.client = httpx.AsyncClient(base_url=self.url, timeout=WAIT, limits=CLIENT_LIMITS)

    async def stop(self) -> None:
        await self.client.aclose()
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await asyncio.wait_for(self._task, timeout=WAIT)
        if self._listener is not None:
            self._listener.close()

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    # ---- the control API, as a person or a test uses it ----------------------------------------------------

    async def call(self, method: str, path: str, body: dict[str, Any] | None = None, *, expect: int = 200) -> Any:
        response = await self.client.request(method, path, json=body)
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    async def scan(self, code: str, phone: str) -> None:
        await self.call("POST", "/api/scan", {"code": code, "phone": phone})

    async def write(self, customer: str, business: str, text: str = "", **extra: Any) -> str:
        body = {"from": customer, "to": business, **({"text": text} if text else {}), **extra}
        message_id: str = (await self.call("POST", "/api/messages", body))["id"]
        return message_id

    async def received_by(self, customer: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = (await self.call("GET", f"/api/phones/{customer}/messages"))["items"]
        return items


class Recorder:
    """The engine's event handler: keeps every event; `fail` makes it raise on the events it matches."""

    def __init__(self, fail: Callable[[EngineEvent], bool] | None = None) -> None:
        self.events: list[EngineEvent] = []
        self.fail = fail
        self._arrived = asyncio.Event()

    async def __call__(self, event: EngineEvent) -> None:
        if self.fail is not None and self.fail(event):
            raise RuntimeError("the pipeline failed")
        self.events.append(event)
        self._arrived.set()

    def of(self, kind: type[EventT]) -> list[EventT]:
        return [event for event in self.events if isinstance(event, kind)]

    def states(self) -> list[EngineState]:
        return [event.state for event in self.of(StateChanged)]

    async def wait_for(self, kind: type[EventT], where: Callable[[EventT], bool] = lambda _e: True) -> EventT:
        async with asyncio.timeout(WAIT):
            while True:
                found = [event for event in self.of(kind) if where(event)]
                if found:
                    return found[-1]
                self._arrived.clear()
                await self._arrived.wait()

    async def wait_until(self, condition: Callable[[], bool]) -> None:
        async with asyncio.timeout(WAIT):
            while not condition():
                self._arrived.clear()
                await self._arrived.wait()

    async def wait_for_count(self, kind: type[EventT], count: int) -> list[EventT]:
        async with asyncio.timeout(WAIT):
            while len(self.of(kind)) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return self.of(kind)

    async def wait_for_state(self, state: EngineState) -> StateChanged:
        return await self.wait_for(StateChanged, lambda event: event.state is state)


async def until(condition: Callable[[], bool]) -> None:
    """Wait (a little at a time, up to WAIT) for `condition` to become true."""
    async with asyncio.timeout(WAIT):
        while not condition():
            await asyncio.sleep(0.01)


@dataclass
class Engines:
    """Builds engines pointed at the live simulator and stops them all when the test ends."""

    simulator: LiveSimulator
    started: list[SimulatorEngine] = field(default_factory=list)

    def new(self, recorder: Recorder | None = None, *, base_url: str | None = None) -> tuple[SimulatorEngine, Recorder]:
        recorder = recorder or Recorder()
        engine = SimulatorEngine(
            base_url or self.simulator.url,
            recorder,
            connection_key=f"test-{len(self.started)}",
            options=FAST_ENGINE,
            clock=self.simulator.clock,
        )
        self.started.append(engine)
        return engine, recorder

    async def linked(self, phone: str) -> tuple[SimulatorEngine, Recorder, str]:
        """A new engine that scanned its first QR code with `phone`; returns its session token too."""
        engine, recorder = self.new()
        await engine.start(SessionTarget())
        qr = await recorder.wait_for(QrCode)
        await self.simulator.scan(qr.code, phone)
        connected = await recorder.wait_for_state(EngineState.CONNECTED)
        assert connected.session_ref is not None
        return engine, recorder, connected.session_ref

    async def stop_all(self) -> None:
        for engine in self.started:
            await engine.stop()


def fast_config(state_file: Path, **overrides: Any) -> SimulatorConfig:
    values: dict[str, Any] = {
        "state_file": state_file,
        "qr_first_seconds": 5.0,
        "qr_next_seconds": 2.0,
        "qr_codes": 3,
        "receipt_delay_seconds": 0.05,
    }
    values.update(overrides)
    return SimulatorConfig(**values)


@pytest.fixture
def simulator_config(tmp_path: Path) -> SimulatorConfig:
    return fast_config(tmp_path / "simulator.db")


@pytest.fixture
async def simulator(simulator_config: SimulatorConfig) -> AsyncIterator[LiveSimulator]:
    live = LiveSimulator(simulator_config)
    await live.start()
    try:
        yield live
    finally:
        await live.stop()


@pytest.fixture
async def engines(simulator: LiveSimulator) -> AsyncIterator[Engines]:
    made = Engines(simulator)
    try:
        yield made
    finally:
        await made.stop_all()
