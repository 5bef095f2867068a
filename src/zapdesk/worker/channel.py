"""The local channel between the server and an embedded worker: JSON lines over a socket pair.

Worker → server: committed events to publish, and what it counted (metrics). Server → worker: nudges.
Losing one only delays (the database is the truth and workers also look on every heartbeat).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import Sequence
from typing import Any

from pydantic_core import to_jsonable_python

from zapdesk.db.events import Published
from zapdesk.metrics.tally import Tally
from zapdesk.worker.nudges import Nudge

EVENTS = "events"
NUDGE = "nudge"
METRICS = "metrics"
MAX_LINE_BYTES = 16 * 1024 * 1024


class Channel:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, sock: socket.socket) -> Channel:
        reader, writer = await asyncio.open_connection(sock=sock, limit=MAX_LINE_BYTES)
        return cls(reader, writer)

    async def send(self, message: dict[str, Any]) -> None:
        line = json.dumps(to_jsonable_python(message), separators=(",", ":")).encode() + b"\n"
        async with self._write_lock:
            self._writer.write(line)
            await self._writer.drain()

    async def receive(self) -> dict[str, Any] | None:
        """The next message, or None once the other side is gone."""
        try:
            line = await self._reader.readline()
        except (ConnectionError, asyncio.LimitOverrunError, ValueError):
            return None
        if not line:
            return None
        message: dict[str, Any] = json.loads(line)
        return message

    async def close(self) -> None:
        self._writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self._writer.wait_closed()


def events_message(events: Sequence[Published]) -> dict[str, Any]:
    return {"type": EVENTS, "events": [item.to_wire() for item in events]}


def events_from_message(message: dict[str, Any]) -> list[Published]:
    return [Published.from_wire(item) for item in message.get("events", [])]


def nudge_message(nudge: Nudge) -> dict[str, Any]:
    return {"type": NUDGE, **nudge.to_wire()}


def nudge_from_message(message: dict[str, Any]) -> Nudge:
    return Nudge.from_wire(message)


def metrics_message(tally: Tally) -> dict[str, Any]:
    return {"type": METRICS, "fields": tally.to_fields()}


class ChannelSink:
    """A worker's `EventSink`: committed events travel to the server, which publishes them to the sockets."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    async def __call__(self, events: Sequence[Published]) -> None:
        # If the server is gone, its successor reads these from the event log (see `zapdesk.realtime.relay`).
        with contextlib.suppress(ConnectionError, OSError):
            await self.channel.send(events_message(events))
