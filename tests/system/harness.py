"""Real processes on loopback for end-to-end tests: `zapdesk run` (server + its engine worker), optionally a
standalone simulator, and clients that talk to them the way a browser and a customer's phone would."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import socketio

from tests.loopback import CLIENT_LIMITS
from zapdesk.realtime.publisher import SOCKET_EVENT

T = TypeVar("T")

ADMIN_EMAIL = "admin@zapdesk.test"
ADMIN_PASSWORD = "system-test-password"
# Fast but realistic-shaped QR windows: a few codes, then the window ends.
FAST_SIMULATOR = {
    "SIMULATOR_QR_FIRST_SECONDS": "10",
    "SIMULATOR_QR_NEXT_SECONDS": "2",
    "SIMULATOR_QR_CODES": "3",
    "SIMULATOR_RECEIPT_DELAY_SECONDS": "0.05",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def eventually(probe: Callable[[], Awaitable[T | None]], *, timeout: float = 20.0, what: str = "") -> T:
    """Poll `probe` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or probe}; last value: {last!r}")


@dataclass
class Process:
    """A child process whose output goes to a log file the failing test can show."""

    args: list[str]
    env: dict[str, str]
    log_path: Path
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.popen = subprocess.Popen(self.args, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def children(self) -> list[int]:
        result = subprocess.run(["pgrep", "-P", str(self.pid)], capture_output=True, text=True, check=False)
        return [int(pid) for pid in result.stdout.split()]

    def stop(self, timeout: float = 20.0) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """kill -9 this process and its children, as a crash would."""
        if self.popen is None:
            return
        for pid in [*self.children(), self.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.popen.wait()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:] if self.log_path.exists() else ""


def zapdesk_environment(database_url: str, data_dir: Path, extra_env: dict[str, str]) -> dict[str, str]:
    """What every zapdesk process of a test run shares: the database, data folder, secrets and fast timings."""
    env = {
        **os.environ,
        "ZAPDESK_ENV": "development",
        "DATABASE_URL": database_url,
        "DATA_DIR": str(data_dir),
        "AUTH_SESSIONS_DIR": str(data_dir / "auth_sessions"),
        "JWT_SECRET": "system-test-access-secret-0123456789abcdef",
        "JWT_REFRESH_SECRET": "system-test-refresh-secret-0123456789abcdef",
        "ADMIN_EMAIL": ADMIN_EMAIL,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "LEASE_SECONDS": "3",
        "LOGIN_ATTEMPTS_PER_MINUTE": "1000",
        **FAST_SIMULATOR,
        **extra_env,
    }
    env.pop("NODE_ENV", None)
    return env


@dataclass
class Server:
    """`zapdesk run` (or, with command="api", a scale-out API process) on a free port."""

    database_url: str
    data_dir: Path
    port: int = field(default_factory=free_port)
    extra_env: dict[str, str] = field(default_factory=dict)
    command: str = "run"
    process: Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        return zapdesk_environment(self.database_url, self.data_dir, {"PORT": str(self.port), **self.extra_env})

    async def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = Process(
            [sys.executable, "-m", "zapdesk", self.command, "--host", "127.0.0.1", "--port", str(self.port)],
            self.environment(),
            self.data_dir / ("server.log" if self.command == "run" else f"{self.command}-{self.port}.log"),
        )
        self.process.start()
        await self.wait_ready()

    async def wait_ready(self, timeout: float = 60.0) -> None:
        async def healthy() -> bool:
            assert self.process is not None and self.process.popen is not None
            if self.process.popen.poll() is not None:
                raise AssertionError(f"server exited early:\n{self.process.output()}")
            try:
                async with httpx.AsyncClient(timeout=2) as client:
                    return (await client.get(f"{self.url}/api/health")).status_code == 200
            except httpx.HTTPError:
                return False

        await eventually(healthy, timeout=timeout, what="the server to answer /api/health")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        return self.process.children()


@dataclass
class StandaloneWorker:
    """`zapdesk worker` without a supervising server (scale-out): PostgreSQL and Redis come from `extra_env`."""

    database_url: str
    data_dir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    process: Process | None = None

    async def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        index = len(list(self.data_dir.glob("worker-*.log")))
        self.process = Process(
            [sys.executable, "-m", "zapdesk", "worker"],
            zapdesk_environment(self.database_url, self.data_dir, self.extra_env),
            self.data_dir / f"worker-{index}.log",
        )
        self.process.start()

        async def started() -> bool:
            assert self.process is not None and self.process.popen is not None
            if self.process.popen.poll() is not None:
                raise AssertionError(f"worker exited early:\n{self.process.output()}")
            return "started (lease" in self.process.output()

        await eventually(started, timeout=60, what="the worker to start")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def owns(self, owner: str | None) -> bool:
        """Whether a lease owner id (host:pid:random) is this process's."""
        return owner is not None and owner.split(":")[-2:-1] == [str(self.pid)]

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()


@dataclass
class StandaloneSimulator:
    """`zapdesk simulator` on its own port with its state in a file: the WhatsApp network outlives zapdesk."""

    state_file: Path
    port: int = field(default_factory=free_port)
    process: Process | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> Simulator:
        args = [sys.executable, "-m", "zapdesk", "simulator", "--port", str(self.port), "--state", str(self.state_file)]
        env = {**os.environ, "SIMULATOR_RECEIPT_DELAY_SECONDS": "0.05", **self.extra_env}
        self.process = Process(args, env, self.state_file.with_suffix(".log"))
        self.process.start()
        simulator = Simulator(self.url)

        async def answers() -> bool:
            try:
                return (await simulator.client.get("/api/phones/5500000000000/messages")).status_code < 500
            except httpx.HTTPError:
                return False

        await eventually(answers, timeout=30, what="the standalone simulator")
        return simulator

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()


@dataclass
class Api:
    """An agent's or admin's REST client, signed in."""

    base_url: str
    token: str = ""
    client: httpx.AsyncClient = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.AsyncClient(base_url=self.base_url, timeout=15, limits=CLIENT_LIMITS)

    async def login(self, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> Api:
        response = await self.client.post("/api/auth/login", json={"email": email, "password": password})
        response.raise_for_status()
        self.token = response.json()["access_token"]
        self.client.headers["Authorization"] = f"Bearer {self.token}"
        # These tests compare the exact texts customers receive: unsigned (signatures have tests of their own).
        unsigned = await self.client.patch("/api/auth/me", json={"signature": False})
        unsigned.raise_for_status()
        return self

    async def get(self, path: str, **params: Any) -> Any:
        response = await self.client.get(path, params=params)
        response.raise_for_status()
        return response.json()

    async def post(self, path: str, body: dict[str, Any] | None = None, *, expect: int | None = None) -> Any:
        response = await self.client.post(path, json=body)
        if expect is not None:
            assert response.status_code == expect, response.text
        else:
            response.raise_for_status()
        return response.json() if response.content else None

    async def close(self) -> None:
        await self.client.aclose()


@dataclass
class Simulator:
    """The fake WhatsApp network's control API: customers write, read and scan; faults are injected here."""

    base_url: str  # ends with /simulator
    client: httpx.AsyncClient = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.AsyncClient(base_url=self.base_url, timeout=15, limits=CLIENT_LIMITS)

    async def scan(self, code: str, phone: str) -> None:
        response = await self.client.post("/api/scan", json={"code": code, "phone": phone})
        assert response.status_code == 200, response.text

    async def customer_writes(self, customer: str, business: str, text: str, name: str | None = None) -> str:
        body: dict[str, Any] = {"from": customer, "to": business, "text": text}
        if name:
            body["name"] = name
        response = await self.client.post("/api/messages", json=body)
        assert response.status_code in (200, 201), response.text
        message_id: str = response.json()["id"]
        return message_id

    async def received_by(self, customer: str) -> list[dict[str, Any]]:
        response = await self.client.get(f"/api/phones/{customer}/messages")
        response.raise_for_status()
        body = response.json()
        items: list[dict[str, Any]] = body["items"] if isinstance(body, dict) else body
        return items

    async def customer_reads(self, customer: str, ids: list[str]) -> None:
        response = await self.client.post(f"/api/phones/{customer}/read", json={"ids": ids})
        assert response.status_code in (200, 204), response.text

    async def session_fault(self, business: str, fault: str) -> None:
        response = await self.client.post(f"/api/sessions/{business}/{fault}")
        assert response.status_code in (200, 204), response.text

    async def close(self) -> None:
        await self.client.aclose()


class Inbox:
    """A Socket.IO client collecting every event (name and payload), like the web app's socket module."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncClient(reconnection=True)
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.sio.on(SOCKET_EVENT, self._on_event)

    async def _on_event(self, envelope: dict[str, Any]) -> None:
        self.collect(envelope["name"], envelope["payload"])

    def collect(self, name: str, payload: dict[str, Any]) -> None:
        self.received.append((name, payload))

    async def connect(self, base_url: str, token: str) -> Inbox:
        await self.sio.connect(base_url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
        return self

    def named(self, name: str) -> list[dict[str, Any]]:
        return [data for event, data in self.received if event == name]

    async def close(self) -> None:
        await self.sio.disconnect()


async def link_connection(
    api: Api, simulator: Simulator, name: str, phone: str, *, qr_within: float = 20.0
) -> dict[str, Any]:
    """The spec's flow: create → connect → QR appears (within `qr_within` s) → the phone scans → connected."""
    connection = await api.post("/api/connections", {"name": name, "provider": "simulator"}, expect=201)
    await api.post(f"/api/connections/{connection['id']}/connect", expect=202)

    async def qr() -> dict[str, Any] | None:
        response = await api.client.get(f"/api/connections/{connection['id']}/qr")
        return response.json() if response.status_code == 200 else None

    code = (await eventually(qr, timeout=qr_within, what=f"a QR code for {name} within {qr_within} s"))["code"]
    await simulator.scan(code, phone)
    return await wait_for_status(api, connection["id"], "CONNECTED")


class LinkingDesk(Inbox):
    """An admin's socket linking many numbers the way the browser does: the QR code of each connection arrives
    as `connection.qr`, the phone scans it, and `connection.updated` says CONNECTED. Nothing polls the API, so
    hundreds of links measure zapdesk, not a script's polls."""

    def __init__(self) -> None:
        super().__init__()
        self.codes: dict[int, asyncio.Future[str]] = {}
        self.connected: set[int] = set()  # connections said CONNECTED while this socket listened
        self._change = asyncio.Event()

    def collect(self, name: str, payload: dict[str, Any]) -> None:
        super().collect(name, payload)
        if name == "connection.qr":
            self._code(payload["id"]).set_result(payload["code"])
        elif name == "connection.updated" and payload["status"] == "CONNECTED":
            self.connected.add(payload["id"])
            self._change.set()

    def _code(self, connection_id: int) -> asyncio.Future[str]:
        """The connection's next code (a new future once the last one was shown: codes rotate)."""
        future = self.codes.get(connection_id)
        if future is None or future.done():
            future = self.codes[connection_id] = asyncio.get_running_loop().create_future()
        return future

    async def until_connected(self, ids: Collection[int], within: float) -> None:
        async def all_connected() -> None:
            while not set(ids) <= self.connected:
                self._change.clear()
                await self._change.wait()

        await asyncio.wait_for(all_connected(), within)

    async def link(self, api: Api, simulator: Simulator, name: str, phone: str, *, within: float = 120.0) -> int:
        """Create, connect, scan the QR code shown (within `within` s), wait for CONNECTED; the connection's id."""
        connection = await api.post("/api/connections", {"name": name, "provider": "simulator"}, expect=201)
        connection_id: int = connection["id"]
        code = self._code(connection_id)
        await api.post(f"/api/connections/{connection_id}/connect", expect=202)
        await simulator.scan(await asyncio.wait_for(code, within), phone)
        await self.until_connected([connection_id], within)
        return connection_id

    async def link_many(
        self, api: Api, simulator: Simulator, phones: list[str], *, at_once: int, within: float = 120.0
    ) -> list[int]:
        """Link a number for each of `phones`, `at_once` at a time; their connections' ids, in order."""
        gate = asyncio.Semaphore(at_once)

        async def one(index: int, phone: str) -> int:
            async with gate:
                return await self.link(api, simulator, f"Número {index}", phone, within=within)

        return list(await asyncio.gather(*(one(index, phone) for index, phone in enumerate(phones))))


async def wait_for_status(api: Api, connection_id: int, status: str, timeout: float = 20.0) -> dict[str, Any]:
    async def reached() -> dict[str, Any] | None:
        connection: dict[str, Any] = await api.get(f"/api/connections/{connection_id}")
        return connection if connection["status"] == status else None

    return await eventually(reached, timeout=timeout, what=f"connection {connection_id} to be {status}")


# ---- conversations at scale: many customers of one business number ------------------------------------------

BUSINESS = "5511999990001"


def customer(index: int) -> str:
    return f"55219{index:08d}"


async def all_pages(api: Api, path: str) -> list[list[dict[str, Any]]]:
    """Every page of a list, following `next_cursor`, in the order the API serves them."""
    pages: list[list[dict[str, Any]]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = await api.get(path, **params)
        pages.append(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            return pages


async def all_tickets(api: Api) -> list[dict[str, Any]]:
    return [ticket for page in await all_pages(api, "/api/tickets") for ticket in page]


async def all_messages(api: Api, ticket_id: int) -> list[dict[str, Any]]:
    """Oldest first: pages come newest first, each in chronological order."""
    pages = await all_pages(api, f"/api/tickets/{ticket_id}/messages")
    return [message for page in reversed(pages) for message in page]


async def inbound_by_customer(api: Api) -> dict[str, list[dict[str, Any]]]:
    result: dict[str, list[dict[str, Any]]] = {}
    for ticket in await all_tickets(api):
        messages = await all_messages(api, ticket["id"])
        result[ticket["contact"]["phone"]] = [m for m in messages if not m["from_me"]]
    return result


async def write_in_turns(simulator: Simulator, customers: int, per_customer: int, pause: float = 0.0) -> None:
    """Each customer writes its messages in order; all customers write at the same time."""

    async def one(index: int) -> None:
        for n in range(per_customer):
            await simulator.customer_writes(customer(index), BUSINESS, f"mensagem {n}", name=f"Cliente {index}")
            if pause:
                await asyncio.sleep(pause)

    await asyncio.gather(*(one(index) for index in range(customers)))


def assert_complete_and_in_order(stored: dict[str, list[dict[str, Any]]], customers: int, per_customer: int) -> None:
    assert len(stored) == customers
    for index in range(customers):
        messages = stored[customer(index)]
        assert [m["body"] for m in messages] == [f"mensagem {n}" for n in range(per_customer)]
        assert len({m["external_id"] for m in messages}) == per_customer
