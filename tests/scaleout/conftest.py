"""Fixtures for scale-out scenarios: a fresh PostgreSQL database and a Redis key prefix of each test's own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.scaleout.cluster import Cluster, running_cluster
from tests.services import redis_url, throwaway_database


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with throwaway_database("zapdesk_scaleout") as url:
        yield url


@pytest.fixture
async def cluster(postgres_url: str, tmp_path: Path) -> AsyncIterator[Cluster]:
    async with running_cluster(postgres_url, redis_url(), tmp_path) as cluster:
        yield cluster
