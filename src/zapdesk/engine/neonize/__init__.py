"""Real WhatsApp through neonize (whatsmeow in Go): the `Engine` adapter, its conversions and session stores.

Importing this package loads nothing from neonize: the Go library comes in only when an engine is built, so the
API process (and tests of everything else) can use `session_store` without it.
"""

from __future__ import annotations

import sys

from zapdesk.config import Settings
from zapdesk.engine.base import Engine, EventHandler


def create_neonize_engine(settings: Settings, connection_key: str, handler: EventHandler) -> Engine:
    """The engine of one connection, keeping its keys in `session_store_for(settings, connection_key)`."""
    from zapdesk.engine.neonize.adapter import NeonizeEngine
    from zapdesk.engine.neonize.runtime import NeonizeRuntime, executor_threads
    from zapdesk.engine.neonize.session_store import session_store_for

    return NeonizeEngine(
        connection_key=connection_key,
        store=session_store_for(settings, connection_key),
        handler=handler,
        backend=NeonizeRuntime(),
        executor_threads=executor_threads(settings.max_sessions_per_worker, settings.leaked_threads_limit),
    )


def leaked_session_threads() -> int:
    """Threads this process lost to neonize sessions that never returned; 0 when neonize was never loaded."""
    runtime = sys.modules.get("zapdesk.engine.neonize.runtime")
    if runtime is None:
        return 0
    leaked: int = runtime.leaked_go_threads()
    return leaked
