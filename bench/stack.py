"""The system under test, as real processes on loopback: a database of its own, the standalone simulator (the
WhatsApp network outlives zapdesk, as the real one does) and `zapdesk run` (API + Socket.IO + engine worker).

Built from the system tests' harness, so the benchmarks drive zapdesk exactly as those tests do.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.services import create_postgres_database, drop_postgres_database, postgres_admin_url
from tests.system.harness import (
    Api,
    Inbox,
    Server,
    Simulator,
    StandaloneSimulator,
    link_connection,
    wait_for_status,
)
from zapdesk.config import to_async_url
from zapdesk.db.engine import create_engine

BUSINESS = "5511900000001"
# Tokens outlive the longest benchmark; logins are not what is measured.
BENCH_ENV = {"ACCESS_TOKEN_MINUTES": "240"}


@asynccontextmanager
async def database(kind: str, workdir: Path) -> AsyncIterator[str]:
    """An empty database of `kind` ("sqlite" or "postgresql") for one benchmark, dropped afterwards."""
    if kind == "sqlite":
        workdir.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{workdir / 'zapdesk.db'}"
        return
    # Commits are what ingest is measured by: the benchmarks' cluster keeps fsync and synchronous commit on.
    admin_url = await asyncio.to_thread(postgres_admin_url, fast=False)
    url = await asyncio.to_thread(create_postgres_database, "zapdesk_bench", admin_url)
    try:
        yield url
    finally:
        await asyncio.to_thread(drop_postgres_database, url, admin_url)


def direct_engine(database_url: str) -> AsyncEngine:
    """The benchmark's own way into the server's database (counting rows, queueing work): zapdesk's engine settings."""
    return create_engine(to_async_url(database_url))


async def scalar(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    async with engine.connect() as connection:
        return (await connection.execute(text(sql), params)).scalar()


class TimedInbox(Inbox):
    """The harness's Socket.IO client, also noting when each event arrived (`time.perf_counter()`)."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[float, str, dict[str, Any]]] = []
        super().__init__()

    def collect(self, name: str, payload: dict[str, Any]) -> None:
        self.arrivals.append((time.perf_counter(), name, payload))


@dataclass
class Stack:
    server: Server
    network: StandaloneSimulator
    simulator: Simulator
    admin: Api
    connection_id: int = 0
    extra: list[Any] = field(default_factory=list)

    async def link(self, name: str = "Vendas", phone: str = BUSINESS) -> dict[str, Any]:
        connection = await link_connection(self.admin, self.simulator, name, phone)
        self.connection_id = self.connection_id or connection["id"]
        return connection

    async def restart_network(self) -> None:
        """Kill the simulator and start it again on the same port and state (what it queued survives)."""
        self.network.kill()
        await self.simulator.close()
        self.simulator = await self.network.start()

    async def wait_connected(self, connection_id: int | None = None, timeout: float = 30.0) -> None:
        await wait_for_status(self.admin, connection_id or self.connection_id, "CONNECTED", timeout=timeout)

    def pids(self) -> list[int]:
        """The server process and its engine workers."""
        assert self.server.process is not None
        return [self.server.process.pid, *self.server.worker_pids()]

    def all_pids(self) -> list[int]:
        """zapdesk's processes and the simulator's (what a run's CPU time is summed over)."""
        assert self.network.process is not None
        return [*self.pids(), self.network.process.pid]


@asynccontextmanager
async def running_stack(
    database_url: str,
    workdir: Path,
    extra_env: dict[str, str] | None = None,
    network_env: dict[str, str] | None = None,
) -> AsyncIterator[Stack]:
    """The simulator (with `network_env`), then `zapdesk run` on `database_url` talking to it (its fake Graph API
    for the Cloud API channel too), and an admin signed in."""
    workdir.mkdir(parents=True, exist_ok=True)
    network = StandaloneSimulator(workdir / "network.db", extra_env=network_env or {})
    simulator = await network.start()
    network_urls = {"SIMULATOR_URL": network.url, "CLOUD_GRAPH_URL": f"{network.url}/graph"}
    server = Server(
        database_url=database_url,
        data_dir=workdir / "data",
        extra_env={**network_urls, **BENCH_ENV, **(extra_env or {})},
    )
    stack: Stack | None = None
    try:
        await server.start()
        stack = Stack(server, network, simulator, await Api(server.url).login())
        yield stack
    finally:
        if stack is not None:
            await stack.admin.close()
            await stack.simulator.close()
        else:
            await simulator.close()
        server.stop()
        network.kill()


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes `pids` (and their children) have used so far, from /proc."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime, stime, cutime, cstime: fields 14-17 of stat, 12-15 after the command name.
        total += sum(int(value) for value in fields[11:15]) / ticks
    return total
