"""The event loop a process runs on: uvloop's where it is installed, asyncio's otherwise."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

_T = TypeVar("_T")


def run(main: Coroutine[Any, Any, _T]) -> _T:
    """`asyncio.run(main)` on uvloop when it is installed (it is on Linux and macOS, as uvicorn's: the API process
    runs on it already). A worker's work is I/O on the loop: its engine programs' sockets, the database drivers,
    Redis. On uvloop the engine's ingest with the receipt after the commit stored about a tenth more messages a
    second on SQLite and a few per cent more on PostgreSQL (`python -m bench engine`)."""
    try:
        import uvloop
    except ImportError:  # Windows: uvloop is not built there
        return asyncio.run(main)
    return uvloop.run(main)
