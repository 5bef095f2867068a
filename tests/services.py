"""Start the local PostgreSQL and Redis the suite needs when they are down (CI machines start them, mostly)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import asyncpg

POSTGRES_HOST, POSTGRES_PORT = "127.0.0.1", 5432
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
POSTGRES_ADMIN_URL = os.environ.get("ZAPDESK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("ZAPDESK_TEST_REDIS", "redis://127.0.0.1:6379/0")


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _wait_for(host: str, port: int, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _listening(host, port):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not start on {host}:{port}")


def ensure_postgres() -> None:
    if _listening(POSTGRES_HOST, POSTGRES_PORT):
        return
    versions = sorted(p.name for p in Path("/etc/postgresql").iterdir())
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"], check=False)
    _wait_for(POSTGRES_HOST, POSTGRES_PORT, "PostgreSQL")


def ensure_redis() -> None:
    if _listening(REDIS_HOST, REDIS_PORT):
        return
    subprocess.run(
        ["redis-server", "--daemonize", "yes", "--bind", REDIS_HOST, "--port", str(REDIS_PORT), "--save", ""],
        check=False,
    )
    _wait_for(REDIS_HOST, REDIS_PORT, "Redis")


async def postgres_admin_execute(statement: str) -> None:
    """Run one statement (CREATE/DROP DATABASE) on the admin database."""
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()
