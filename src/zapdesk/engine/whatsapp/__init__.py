"""Real WhatsApp through zapdesk-wa, our engine program on whatsmeow (Go, `engine/` of the repository).

One program runs beside each worker process and holds its sessions; `host_for` starts it on first use. Importing
this package loads nothing from neonize: its protobuf definitions come in only when an engine is built.
"""

from __future__ import annotations

import asyncio
import shlex
from pathlib import Path

from sqlalchemy.engine import make_url

from zapdesk.config import Settings
from zapdesk.engine.base import Engine, EventHandler
from zapdesk.engine.whatsapp.host import EngineHost, ProgramSpec

# The program `make engine` builds into the source checkout.
DEFAULT_BINARY = Path(__file__).resolve().parents[4] / "engine" / "bin" / "zapdesk-wa"

_hosts: dict[tuple[asyncio.AbstractEventLoop, ProgramSpec], EngineHost] = {}


def program_spec(settings: Settings) -> ProgramSpec:
    return ProgramSpec(
        binary=settings.whatsapp_engine_binary or DEFAULT_BINARY,
        store_location=store_location(settings),
        verdict_timeout=settings.whatsapp_verdict_timeout_seconds,
        flags=tuple(shlex.split(settings.whatsapp_engine_flags)),
        allow_debug_build=not settings.is_production,
    )


def store_location(settings: Settings) -> str:
    """Where whatsmeow keeps its keys: zapdesk's own database (`sqlite:<path>` or a `postgres://` URL)."""
    from zapdesk.engine.neonize.session_store import whatsmeow_postgres_url

    if settings.is_sqlite:
        database = make_url(settings.database_url).database or ""
        return f"sqlite:{Path(database).resolve()}"
    # Direct, not through a pooler: the program's driver prepares statements.
    return whatsmeow_postgres_url(settings.direct_url or settings.database_url)


def host_for(settings: Settings) -> EngineHost:
    """This worker's engine program (one per event loop and configuration), started on first use."""
    spec = program_spec(settings)
    key = (asyncio.get_running_loop(), spec)
    host = _hosts.get(key)
    if host is None:
        host = _hosts[key] = EngineHost(spec)
    return host


async def close_hosts() -> None:
    """Stop the engine programs of this event loop (the worker is shutting down)."""
    loop = asyncio.get_running_loop()
    for key in [key for key in _hosts if key[0] is loop]:
        await _hosts.pop(key).close()


def create_whatsapp_engine(settings: Settings, connection_key: str, handler: EventHandler) -> Engine:
    """The engine of one connection: our engine program, or neonize when `WHATSAPP_ENGINE=neonize`."""
    if settings.whatsapp_engine == "neonize":
        from zapdesk.engine.neonize import create_neonize_engine

        return create_neonize_engine(settings, connection_key, handler)
    from zapdesk.engine.whatsapp.adapter import WhatsAppEngine

    return WhatsAppEngine(connection_key=connection_key, handler=handler, host=host_for(settings))
