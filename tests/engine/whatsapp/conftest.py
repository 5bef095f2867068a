"""The built engine program (its debug build: offline sessions, injected events) behind the real adapter.

`make test` builds it; run `make engine-debug` before running these tests alone.
"""

from __future__ import annotations

import asyncio
import os

os.environ.setdefault("SPHINX", "1")

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.message import Message as ProtoMessage
from neonize.proto.Neonize_pb2 import Connected as ConnectedEv
from neonize.proto.Neonize_pb2 import Disconnected as DisconnectedEv
from neonize.proto.Neonize_pb2 import Message as MessageEv
from neonize.proto.Neonize_pb2 import Receipt as ReceiptEv

from tests.engine.neonize.fakes import Recorder
from tests.engine.whatsapp import inject
from zapdesk.engine.events import EngineState, SessionTarget
from zapdesk.engine.whatsapp import DEFAULT_BINARY
from zapdesk.engine.whatsapp.adapter import WhatsAppEngine
from zapdesk.engine.whatsapp.host import EngineHost, ProgramSpec
from zapdesk.engine.whatsapp.protocol import zapdesk_engine_pb2 as pb

DEBUG_BINARY = DEFAULT_BINARY.with_name("zapdesk-wa-debug")
DEVICE_REF = "5511900001111:12@s.whatsapp.net"


def debug_spec(store_location: str, *, verdict_timeout: float = 10.0) -> ProgramSpec:
    if not DEBUG_BINARY.is_file():
        pytest.fail(f"{DEBUG_BINARY} is missing: build it with `make engine-debug`")
    return ProgramSpec(
        binary=DEBUG_BINARY,
        store_location=store_location,
        verdict_timeout=verdict_timeout,
        flags=("-offline",),
        allow_debug_build=True,
    )


@pytest.fixture
async def host(tmp_path: Path) -> AsyncIterator[EngineHost]:
    engine_host = EngineHost(debug_spec(f"sqlite:{tmp_path / 'zapdesk.db'}"))
    yield engine_host
    await engine_host.close()


class InjectingClient:
    """Delivers events to a session as WhatsApp would: through whatsmeow's own handlers in the engine program,
    one after another (whatsmeow handles one session's events in order, each after the previous one's verdict)."""

    def __init__(self, host: EngineHost, session: str) -> None:
        self.host = host
        self.session = session
        self.handler_failed: list[bool] = []
        # LID → phone mappings for whatsmeow's LID store, written before the next delivery.
        self.lid_phones: dict[str, str] = {}

    async def deliver(self, *events: ProtoMessage) -> None:
        for lid, phone in self.lid_phones.items():
            mapping = pb.DebugPutLid(lid_jid=f"{lid}@lid", phone_jid=f"{phone}@s.whatsapp.net")
            await self.host.request(self.session, debug_put_lid=mapping)
        for event in events:
            response = await self.host.request(self.session, debug_inject=pb.DebugInject(event=protocol_event(event)))
            self.handler_failed.append(response.handler_failed)


def protocol_event(event: ProtoMessage) -> pb.Event:
    if isinstance(event, MessageEv):
        return inject.message_event(event)
    if isinstance(event, ReceiptEv):
        return inject.receipt_event(event)
    if isinstance(event, ConnectedEv):
        return pb.Event(connected=pb.ConnectedEvent())
    if isinstance(event, DisconnectedEv):
        return pb.Event(disconnected=pb.DisconnectedEvent())
    raise TypeError(f"no protocol form for {type(event).__name__}")


async def connected_state(recorder: Recorder, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not any(state.state is EngineState.CONNECTED for state in recorder.states):
            await asyncio.sleep(0.01)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


MakeEngine = Callable[..., WhatsAppEngine]
ConnectEngine = Callable[..., Awaitable[tuple[WhatsAppEngine, InjectingClient]]]


@pytest.fixture
async def make_engine(host: EngineHost, recorder: Recorder) -> AsyncIterator[MakeEngine]:
    created: list[WhatsAppEngine] = []

    def make(**options: Any) -> WhatsAppEngine:
        values: dict[str, Any] = {"connection_key": "7", "handler": recorder, "host": host}
        values.update(options)
        engine = WhatsAppEngine(**values)
        created.append(engine)
        return engine

    yield make
    for engine in created:
        await engine.stop()


@pytest.fixture
def connect_engine(make_engine: MakeEngine, host: EngineHost, recorder: Recorder) -> ConnectEngine:
    """Store a device and resume it: offline, the program's whatsmeow reports Connected by itself, from its own
    goroutine, so the fixture waits for that CONNECTED rather than injecting a second one that may overtake it."""

    async def connect(**options: Any) -> tuple[WhatsAppEngine, InjectingClient]:
        await host.request("setup", debug_create_device=pb.DebugCreateDevice(device_jid=DEVICE_REF))
        engine = make_engine(**options)
        await engine.start(SessionTarget(session_ref=DEVICE_REF))
        await connected_state(recorder)
        await engine.wait_idle()
        return engine, InjectingClient(host, engine.connection_key)

    return connect


@pytest.fixture
async def connected(connect_engine: ConnectEngine) -> tuple[WhatsAppEngine, InjectingClient]:
    return await connect_engine()
