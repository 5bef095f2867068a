"""Stopping a session ends its Go session for sure: never given up because other Go calls of the process take
long, and never forgotten before Go's Stop has run."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from neonize.proto.Neonize_pb2 import Connected as ConnectedEv
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import ImageMessage

from tests.engine.neonize.conftest import MakeEngine
from tests.engine.neonize.fakes import FakeBackend, FakeClient
from tests.engine.neonize.protos import own_device
from zapdesk.engine.events import SessionTarget
from zapdesk.engine.neonize.adapter import NeonizeEngine
from zapdesk.engine.neonize.convert import media_ref
from zapdesk.engine.neonize.runtime import is_live, live_clients

DEVICES = {"7": "5511900001111:12@s.whatsapp.net", "8": "5511900002222:3@s.whatsapp.net"}
LARGE_FILE = b"\x00" * 1_000_000

StartSession = Callable[..., Awaitable[tuple[NeonizeEngine, FakeClient]]]


@pytest.fixture
def start_session(make_engine: MakeEngine, backend: FakeBackend) -> StartSession:
    """A connected session of connection `key` (each its own stored device), as the worker resumes it."""
    backend.devices = list(DEVICES.values())
    backend.prepare = lambda client: setattr(client, "own_device", own_device())

    async def start(key: str, **options: object) -> tuple[NeonizeEngine, FakeClient]:
        engine = make_engine(connection_key=key, **options)
        await engine.start(SessionTarget(session_ref=DEVICES[key]))
        client = backend.client
        await client.deliver(ConnectedEv(status=True))
        await engine.wait_idle()
        return engine, client

    return start


async def waiting(task: asyncio.Task[None]) -> bool:
    """Whether `task` is still waiting once everything ready to run has run."""
    for _ in range(20):
        await asyncio.sleep(0)
    return not task.done()


async def released(client: FakeClient) -> None:
    async with asyncio.timeout(5):
        while is_live(client.uuid):
            await asyncio.sleep(0.01)


async def test_stop_while_another_session_downloads_a_large_file_still_stops_its_go_session(
    start_session: StartSession,
) -> None:
    before = live_clients()
    # No time at all for Go's Stop: a limit that covered the wait for other calls would give up at once.
    stopping, stopping_client = await start_session("7", stop_timeout=0)
    downloading, downloading_client = await start_session("8")
    assert live_clients() == before + 2
    downloading_client.media = LARGE_FILE
    downloading_client.download_gate = asyncio.Event()  # WhatsApp's media servers are slow today
    download = asyncio.create_task(downloading.download(media_ref("imageMessage", ImageMessage(directPath="/v/large"))))
    while not downloading_client.downloads:
        await asyncio.sleep(0.01)

    stop = asyncio.create_task(stopping.stop())
    assert await waiting(stop) and stopping_client.stops == 0  # Go's maps are not written under a running call
    downloading_client.download_gate.set()
    await stop
    await released(stopping_client)

    assert await download == LARGE_FILE
    assert stopping_client.stops == 1
    assert not is_live(stopping_client.uuid) and live_clients() == before + 1  # only the session still running


async def test_a_go_stop_that_hangs_keeps_its_client_until_it_returns(start_session: StartSession) -> None:
    before = live_clients()
    engine, client = await start_session("7", stop_timeout=0.05)
    client.stop_gate = asyncio.Event()

    await engine.stop()  # returns after Stop's time limit

    assert client.stops == 0 and is_live(client.uuid)  # not forgotten: Go still runs that session
    client.stop_gate.set()
    await released(client)
    assert client.stops == 1 and live_clients() == before


async def test_a_download_abandoned_by_its_caller_still_holds_go_until_it_returns(
    start_session: StartSession,
) -> None:
    stopping, stopping_client = await start_session("7", stop_timeout=0)
    downloading, downloading_client = await start_session("8")
    downloading_client.download_gate = asyncio.Event()
    download = asyncio.create_task(downloading.download(media_ref("imageMessage", ImageMessage(directPath="/v/x"))))
    while not downloading_client.downloads:
        await asyncio.sleep(0.01)
    download.cancel()  # the downloader gave up (its session closing): Go's call goes on regardless

    stop = asyncio.create_task(stopping.stop())
    assert await waiting(stop) and stopping_client.stops == 0
    downloading_client.download_gate.set()
    await stop
    await released(stopping_client)
    assert stopping_client.stops == 1 and download.cancelled()
