"""A killed worker loses no message with our engine program: WhatsApp's receipt waited for the commit.

`zapdesk run` with the debug build of zapdesk-wa (offline sessions, and a debug socket beside the worker's where
this test plays WhatsApp: it injects each message through whatsmeow's handlers and sends it again until the
handler succeeds, as WhatsApp redelivers what got no receipt).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import struct
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message
from sqlalchemy import text

from tests.engine.neonize.protos import jid, message_event
from tests.engine.whatsapp.conftest import DEBUG_BINARY
from tests.engine.whatsapp.inject import message_event as protocol_message
from tests.system.harness import Api, Server, eventually, wait_for_status
from zapdesk.config import to_async_url
from zapdesk.db.engine import create_engine
from zapdesk.engine.whatsapp.protocol import zapdesk_engine_pb2 as pb

DEVICE = "5511900004444:9@s.whatsapp.net"
_HEADER = struct.Struct(">I")


class DebugSocket:
    """The program's debug socket: one request at a time, each answered by a Response."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.ids = 0

    async def request(self, session: str, **command: object) -> pb.Response:
        if self.writer is None:
            try:
                self.reader, self.writer = await asyncio.open_unix_connection(str(self.path))
            except OSError as exc:  # the program is being started again: no socket yet, or a stale one
                raise ConnectionError(f"no program listening: {exc}") from None
        assert self.reader is not None
        self.ids += 1
        body = pb.WorkerFrame(request=pb.Request(id=self.ids, session=session, **command)).SerializeToString()
        self.writer.write(_HEADER.pack(len(body)) + body)
        try:
            await self.writer.drain()
            (size,) = _HEADER.unpack(await self.reader.readexactly(_HEADER.size))
            return pb.EngineFrame.FromString(await self.reader.readexactly(size)).response
        except (ConnectionError, asyncio.IncompleteReadError):
            self.close()
            raise ConnectionError("the program went away") from None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@pytest.fixture
def debug_socket_path() -> AsyncIterator[Path]:
    directory = Path(tempfile.mkdtemp(prefix="zwa"))  # short: a Unix socket path has at most 107 bytes
    yield directory / "debug.sock"
    for child in directory.iterdir():
        child.unlink()
    directory.rmdir()


@pytest.fixture
async def engine_server(fresh_database_url: str, tmp_path: Path, debug_socket_path: Path) -> AsyncIterator[Server]:
    if not DEBUG_BINARY.is_file():
        pytest.fail(f"{DEBUG_BINARY} is missing: build it with `make engine-debug`")
    server = Server(
        database_url=fresh_database_url,
        data_dir=tmp_path / "data",
        extra_env={
            "WHATSAPP_ENGINE_BINARY": str(DEBUG_BINARY),
            "WHATSAPP_ENGINE_FLAGS": f"-offline -debug-listen {debug_socket_path}",
            "WHATSAPP_VERDICT_TIMEOUT_SECONDS": "5",
        },
    )
    await server.start()
    try:
        yield server
    finally:
        server.kill()


async def _linked_connection(api: Api, url: str, socket: DebugSocket) -> int:
    """A whatsapp connection resumed from a stored device, as after a scan (the debug build stores the device)."""
    connection = await api.post("/api/connections", {"name": "Vendas", "provider": "whatsapp"}, expect=201)
    await api.post(f"/api/connections/{connection['id']}/connect", expect=202)  # starts the worker's program
    await eventually(lambda: _exists(socket.path), timeout=30, what="the engine program's debug socket")
    await socket.request("setup", debug_create_device=pb.DebugCreateDevice(device_jid=DEVICE))
    engine = create_engine(to_async_url(url))
    try:
        async with engine.begin() as db:
            await db.execute(
                text("UPDATE connections SET session_ref = :d WHERE id = :i"), {"d": DEVICE, "i": connection["id"]}
            )
    finally:
        await engine.dispose()
    await api.post(f"/api/connections/{connection['id']}/restart", expect=202)
    await wait_for_status(api, connection["id"], "CONNECTED", timeout=30)
    return int(connection["id"])


async def _exists(path: Path) -> bool:
    return path.exists()


async def _stored(url: str) -> dict[str, int]:
    """How many times each WhatsApp id is stored."""
    engine = create_engine(to_async_url(url))
    try:
        async with engine.connect() as db:
            rows = (await db.execute(text("SELECT external_id, count(*) FROM messages GROUP BY external_id"))).all()
    finally:
        await engine.dispose()
    return {external_id: count for external_id, count in rows}


async def _all_in(url: str, count: int) -> bool:
    return len(await _stored(url)) == count


async def _deliver(socket: DebugSocket, session: str, event: pb.Event, *, before_answer: object = None) -> int:
    """WhatsApp's side for one message: send it until whatsmeow's handler succeeds; how many tries failed."""
    failures = 0
    while True:
        try:
            request = asyncio.ensure_future(socket.request(session, debug_inject=pb.DebugInject(event=event)))
            if before_answer is not None:
                await asyncio.sleep(0.2)  # the message is in the worker's hands (or its batch) by now
                before_answer()  # type: ignore[operator]
                before_answer = None
            response = await request
            if not response.error and not response.handler_failed:
                return failures
        except ConnectionError:
            pass
        failures += 1
        await asyncio.sleep(0.1)


async def test_killing_the_worker_mid_batch_then_its_restart_store_every_message_exactly_once(
    engine_server: Server, fresh_database_url: str, debug_socket_path: Path
) -> None:
    api = await Api(engine_server.url).login()
    socket = DebugSocket(debug_socket_path)
    try:
        connection_id = await _linked_connection(api, fresh_database_url, socket)
        (worker,) = engine_server.worker_pids()
        messages = [
            protocol_message(
                message_event(Message(conversation=f"pedido {n}"), message_id=f"K{n:02d}", chat=jid("5511988887777"))
            )
            for n in range(20)
        ]
        failures = 0
        for n, event in enumerate(messages):
            kill = (lambda: os.kill(worker, signal.SIGKILL)) if n == 10 else None
            failures += await _deliver(socket, str(connection_id), event, before_answer=kill)

        assert failures >= 1  # the message in flight when the worker died was delivered again
        # The last receipts followed the commit into the worker's inbox: the pipeline stores them right after.
        await eventually(lambda: _all_in(fresh_database_url, 20), timeout=30, what="every message stored")
        assert await _stored(fresh_database_url) == {f"K{n:02d}": 1 for n in range(20)}
        assert engine_server.worker_pids() and engine_server.worker_pids() != [worker]
        await wait_for_status(api, connection_id, "CONNECTED", timeout=30)
    finally:
        socket.close()
        with contextlib.suppress(Exception):
            await api.close()
