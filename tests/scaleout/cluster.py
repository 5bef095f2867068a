"""A scale-out deployment on loopback for one test: API processes, standalone workers, the standalone simulator,
PostgreSQL and Redis (the run's servers with a fresh database and key prefix, or servers of the test's own when it
needs to stop them: `tests.services`)."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from tests.system.harness import (
    Api,
    Server,
    Simulator,
    StandaloneSimulator,
    StandaloneWorker,
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
