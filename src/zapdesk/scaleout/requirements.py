"""What scale-out processes need before they start, refused with a message that says how to fix it."""

from __future__ import annotations

import os
import secrets
import socket

from zapdesk.config import Settings


class ScaleOutUnavailable(ValueError):
    """The settings cannot run this scale-out process."""


def api_settings(settings: Settings) -> Settings:
    """`zapdesk api`: no engine workers in this process; Redis carries Socket.IO fan-out and worker nudges."""
    if not settings.redis_url:
        raise ScaleOutUnavailable(
            "set REDIS_URL (e.g. redis://127.0.0.1:6379/0): API processes share Socket.IO events and wake the "
            "workers through Redis. For a single process without Redis, use `zapdesk run`."
        )
    _require_postgres(settings, "api")
    return settings.model_copy(update={"run_workers": False})


def worker_settings(settings: Settings) -> Settings:
    """`zapdesk worker` on its own: the database and Redis are the only things it shares with the API."""
    _require_postgres(settings, "worker")
    if not settings.redis_url:
        raise ScaleOutUnavailable(
            "set REDIS_URL (e.g. redis://127.0.0.1:6379/0): a standalone worker publishes events and receives "
            "nudges through Redis. (Workers started by `zapdesk run` are given --channel-fd instead.)"
        )
    return settings


def unique_owner() -> str:
    """A lease owner id no other process has, even where every container's main process is pid 1."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def _require_postgres(settings: Settings, command: str) -> None:
    if settings.is_sqlite:
        raise ScaleOutUnavailable(
            f"`zapdesk {command}` needs a PostgreSQL DATABASE_URL (postgresql://user:password@host:5432/db): "
            "scale-out processes share the database and the WhatsApp session stores in it. "
            "SQLite is for `zapdesk run` on one machine."
        )
