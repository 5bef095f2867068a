"""The suite brings its own throwaway PostgreSQL and Redis unless TEST_DATABASE_URL / TEST_REDIS_URL name others."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from redis.asyncio import Redis

from tests.services import postgres_admin_url, redis_url, throwaway_database

REPO = Path(__file__).resolve().parents[1]

# What a fresh interpreter resolves, and which private servers it left in its temporary directory.
PROBE = """
import json, os, tempfile
from pathlib import Path
from tests.services import postgres_admin_url, redis_url
print(json.dumps({
    "postgres": postgres_admin_url(),
    "redis": redis_url(),
    "started": sorted(p.name.rsplit("-", 1)[0] for p in Path(tempfile.gettempdir()).glob("zapdesk-*")),
}))
"""


def probe(environment: dict[str, str], temporary: Path) -> dict[str, object]:
    env = {**os.environ, **environment, "TMPDIR": str(temporary)}
    for name in ("TEST_DATABASE_URL", "TEST_REDIS_URL"):
        if name not in environment:
            env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return answer


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")), reason="this run was pointed at an existing server")
async def test_without_configuration_postgres_is_a_throwaway_cluster_under_the_temporary_directory() -> None:
    connection = await asyncpg.connect(postgres_admin_url())
    try:
        data_directory = Path(await connection.fetchval("SHOW data_directory"))
        fsync = await connection.fetchval("SHOW fsync")
    finally:
        await connection.close()

    assert data_directory.is_relative_to(Path(tempfile.gettempdir()).resolve())
    assert data_directory.parent.name.startswith("zapdesk-pg-")
    assert fsync == "off"  # a test never needs a crash-safe disk


@pytest.mark.skipif(bool(os.environ.get("TEST_REDIS_URL")), reason="this run was pointed at an existing server")
async def test_without_configuration_redis_is_a_throwaway_server_of_the_run() -> None:
    redis = Redis.from_url(redis_url())
    try:
        directory = Path((await redis.config_get("dir"))["dir"])
        port = int((await redis.config_get("port"))["port"])
    finally:
        await redis.aclose()

    assert directory.is_relative_to(Path(tempfile.gettempdir()).resolve())
    assert directory.name.startswith("zapdesk-redis-")
    assert port != 6379


def test_servers_named_in_the_environment_are_used_and_none_is_started(tmp_path: Path) -> None:
    with throwaway_database("zapdesk_named") as named_database:
        answer = probe(
            {"TEST_DATABASE_URL": named_database, "TEST_REDIS_URL": redis_url().replace("/0", "/5")}, tmp_path
        )

    assert answer == {"postgres": named_database, "redis": redis_url().replace("/0", "/5"), "started": []}


@pytest.fixture
def shared_temporary_directory() -> Iterator[Path]:
    """A temporary directory the `postgres` user may enter (pytest's own are private to us)."""
    directory = Path(tempfile.mkdtemp(prefix="zapdesk-test-"))
    directory.chmod(0o755)
    try:
        yield directory
    finally:
        shutil.rmtree(directory)


def test_a_run_without_configuration_starts_its_own_servers_and_removes_them_at_exit(
    shared_temporary_directory: Path,
) -> None:
    answer = probe({}, shared_temporary_directory)

    assert answer["started"] == ["zapdesk-pg", "zapdesk-redis"]
    assert str(answer["postgres"]).startswith("postgresql://postgres@127.0.0.1:")
    assert list(shared_temporary_directory.glob("zapdesk-*")) == []  # stopped and deleted when the interpreter exited
