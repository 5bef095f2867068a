"""Offline neonize: with SPHINX set before its import, neonize skips its Go library and its classes still import.

Set here, in this folder's conftest, so only these tests ever import neonize.
"""

from __future__ import annotations

import os

os.environ.setdefault("SPHINX", "1")

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from neonize.proto.Neonize_pb2 import Connected as ConnectedEv

from tests.engine.neonize.fakes import FakeBackend, FakeClient, Recorder
from tests.engine.neonize.protos import own_device
from zapdesk.engine.events import SessionTarget
from zapdesk.engine.neonize.adapter import NeonizeEngine, QrTimings
from zapdesk.engine.neonize.session_store import SessionStore

MakeEngine = Callable[..., NeonizeEngine]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    path = tmp_path / "auth_sessions" / "connection-7.db"
    return SessionStore(location=str(path), path=path)


@pytest.fixture
async def make_engine(store: SessionStore, backend: FakeBackend, recorder: Recorder) -> AsyncIterator[MakeEngine]:
    """Engines on the fake neonize client; every one is stopped when the test ends."""
    created: list[NeonizeEngine] = []

    def make(**options: Any) -> NeonizeEngine:
        values: dict[str, Any] = {
            "connection_key": "7",
            "store": store,
            "handler": recorder,
            "backend": backend,
            "settle_timeout": 0.01,
            "qr_timings": QrTimings(first=5, following=5, codes=6, grace=1),
        }
        values.update(options)
        engine = NeonizeEngine(**values)
        created.append(engine)
        return engine

    yield make
    for engine in created:
        await engine.stop()


DEVICE_REF = "5511900001111:12@s.whatsapp.net"


ConnectEngine = Callable[..., Awaitable[tuple[NeonizeEngine, FakeClient]]]


@pytest.fixture
def connect_engine(make_engine: MakeEngine, backend: FakeBackend) -> ConnectEngine:
    """Build an engine (with these options), resume it from its stored device and bring it to CONNECTED."""

    async def connect(**options: Any) -> tuple[NeonizeEngine, FakeClient]:
        backend.devices = [DEVICE_REF]
        backend.prepare = lambda client: setattr(client, "own_device", own_device())
        engine = make_engine(**options)
        await engine.start(SessionTarget(session_ref=DEVICE_REF))
        client = backend.client
        await client.deliver(ConnectedEv(status=True))
        await engine.wait_idle()
        return engine, client

    return connect


@pytest.fixture
async def connected(connect_engine: ConnectEngine) -> tuple[NeonizeEngine, FakeClient]:
    return await connect_engine()
