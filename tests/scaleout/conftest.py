"""Fixtures for scale-out scenarios: a fresh PostgreSQL database and a Redis key prefix of each test's own."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.scaleout.cluster import Cluster, running_cluster
from tests.services import POSTGRES_ADMIN_URL, REDIS_URL, ensure_postgres, ensure_redis, postgres_admin_execute


@pytest.fixture
def postgres_url() -> Iterator[str]:
    ensure_postgres()
    name = f"zapdesk_scaleout_{secrets.token_hex(4)}"
    asyncio.run(postgres_admin_execute(f'CREATE DATABASE "{name}"'))
    yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    asyncio.run(postgres_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def cluster(postgres_url: str, tmp_path: Path) -> AsyncIterator[Cluster]:
    ensure_redis()
    async with running_cluster(postgres_url, REDIS_URL, tmp_path) as cluster:
        yield cluster
