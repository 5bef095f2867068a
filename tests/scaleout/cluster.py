"""A scale-out deployment on loopback for one test: API processes, standalone workers, the standalone simulator,
PostgreSQL and Redis (shared servers with a fresh database and key prefix, or servers of the test's own when it
needs to stop them)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
from redis.asyncio import Redis

from tests.system.harness import (
    Api,
    Process,
    Server,
    Simulator,
    StandaloneSimulator,
    StandaloneWorker,
    eventually,
    free_port,
)


@dataclass
class Cluster:
    database_url: str
    redis_url: str
    data_dir: Path
    simulator_process: StandaloneSimulator
    simulator: Simulator
    prefix: str = field(default_factory=lambda: f"test-{secrets.token_hex(6)}")
    apis: list[Server] = field(default_factory=list)
    workers: list[StandaloneWorker] = field(default_factory=list)

    def environment(self) -> dict[str, str]:
        return {
            "REDIS_URL": self.redis_url,
            "REDIS_PREFIX": self.prefix,
            "SIMULATOR_URL": self.simulator_process.url,
        }

    async def start_apis(self, count: int = 1) -> list[Server]:
        """Started together, as a deployment would: they migrate one at a time and bootstrap one admin."""
        started = [self._api() for _ in range(count)]
        await asyncio.gather(*(api.start() for api in started))
        self.apis.extend(started)
        return started

    async def start_workers(self, count: int = 1) -> list[StandaloneWorker]:
        started = [StandaloneWorker(self.database_url, self.data_dir, self.environment()) for _ in range(count)]
        await asyncio.gather(*(worker.start() for worker in started))
        self.workers.extend(started)
        return started

    def _api(self) -> Server:
        port = free_port()
        # Each API process mounts its own (unused) simulator page: give it a state file of its own.
        extra = {**self.environment(), "SIMULATOR_STATE_FILE": str(self.data_dir / f"mounted-simulator-{port}.db")}
        return Server(self.database_url, self.data_dir, port=port, extra_env=extra, command="api")

    async def health(self, api: Server | None = None) -> dict[str, Any]:
        api = api or self.apis[0]
        response = await Api(api.url).client.get("/api/health")
        body: dict[str, Any] = response.json()
        body["http_status"] = response.status_code
        return body

    def kill_all(self) -> None:
        for process in [*self.workers, *self.apis]:
            process.kill()

    def logs(self) -> str:
        parts = [f"--- api {api.port}\n{api.process.output() if api.process else ''}" for api in self.apis]
        parts += [f"--- worker {w.pid}\n{w.process.output() if w.process else ''}" for w in self.workers]
        return "\n".join(parts)


@contextlib.asynccontextmanager
async def running_cluster(database_url: str, redis_url: str, tmp_path: Path) -> AsyncIterator[Cluster]:
    """The simulator is up; the test starts the APIs and workers it needs. Everything is killed at the end."""
    network = StandaloneSimulator(tmp_path / "network.db")
    simulator = await network.start()
    cluster = Cluster(database_url, redis_url, tmp_path / "data", network, simulator)
    try:
        yield cluster
    except Exception:  # a failure (not pytest's skip/xfail outcomes): show what the processes said
        print(cluster.logs())
        raise
    finally:
        cluster.kill_all()
        network.kill()
        await simulator.close()
        await delete_keys(redis_url, cluster.prefix)


async def delete_keys(redis_url: str, prefix: str) -> None:
    with contextlib.suppress(Exception):
        redis = Redis.from_url(redis_url, socket_connect_timeout=1)
        try:
            keys = [key async for key in redis.scan_iter(match=f"{prefix}:*")]
            if keys:
                await redis.delete(*keys)
        finally:
            await redis.aclose()


# ---- servers of a test's own, to stop and start without disturbing anyone else ---------------------------------


def _as_postgres_user(args: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@dataclass
class PrivatePostgres:
    """A PostgreSQL server on a free port for one test: restarting it disturbs no other test or engineer."""

    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="zapdesk-pg-")))
    port: int = field(default_factory=free_port)

    @property
    def bin_dir(self) -> Path:
        versions = sorted(Path("/usr/lib/postgresql").iterdir(), key=lambda p: int(p.name))
        return versions[-1] / "bin"

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _pg_ctl(self, *args: str) -> None:
        command = [str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), *args]
        subprocess.run(_as_postgres_user(command), check=True, capture_output=True, timeout=60)

    async def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        initdb = [str(self.bin_dir / "initdb"), "-D", str(self.root / "data"), "-U", "postgres", "-A", "trust"]
        subprocess.run(
            _as_postgres_user([*initdb, "--no-sync", "-E", "UTF8", "--locale=C"]),
            check=True,
            capture_output=True,
            timeout=120,
        )
        await asyncio.to_thread(self.start_server)

    def start_server(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
        self._pg_ctl("-l", str(self.root / "server.log"), "-o", options, "-w", "start")

    def stop_server(self) -> None:
        """A fast shutdown, as `pg_ctlcluster ... restart` does: clients are disconnected."""
        self._pg_ctl("-m", "fast", "-w", "stop")

    async def create_database(self, name: str) -> str:
        connection = await asyncpg.connect(self.admin_url)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        return self.url(name)

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            self._pg_ctl("-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class PrivateRedis:
    """A Redis server on a free port for one test (the shared one on 6379 is never stopped)."""

    log_path: Path
    port: int = field(default_factory=free_port)
    process: Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = Process(args, dict(os.environ), self.log_path)
        self.process.start()

        async def answers() -> bool:
            redis = Redis.from_url(self.url, socket_connect_timeout=0.5)
            try:
                return bool(await redis.ping())
            except Exception:
                return False
            finally:
                await redis.aclose()

        await eventually(answers, timeout=20, what="the private Redis")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
