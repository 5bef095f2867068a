"""The adapter against neonize's own `NewAClient` (offline): how it is built, and events dispatched from a thread
through neonize's `Event.execute`, exactly as its Go callbacks do."""

from __future__ import annotations

import asyncio
import ctypes
import os
import subprocess
import sys
from pathlib import Path

import neonize.aioze.events as neonize_events
import pytest
from google.protobuf.message import Message as ProtoMessage
from neonize._binder import func_string
from neonize.aioze.client import NewAClient
from neonize.events import EVENT_TO_INT
from neonize.proto.Neonize_pb2 import JID
from neonize.proto.Neonize_pb2 import Connected as ConnectedEv
from neonize.proto.waCompanionReg.WAWebProtobufsCompanionReg_pb2 import DeviceProps
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message

from tests.engine.neonize.conftest import DEVICE_REF, MakeEngine
from tests.engine.neonize.fakes import Recorder
from tests.engine.neonize.protos import BUSINESS, message_event, own_device
from zapdesk.config import Settings
from zapdesk.engine.events import EngineState, MessageReceived, QrCode, SessionTarget
from zapdesk.engine.neonize import create_neonize_engine
from zapdesk.engine.neonize.adapter import SUBSCRIBED_EVENTS, NeonizeEngine
from zapdesk.engine.neonize.convert import parse_jid
from zapdesk.engine.neonize.runtime import LoginStatusClient, NeonizeClient, NeonizeRuntime, is_live
from zapdesk.engine.neonize.session_store import SessionStore


class OneClientBackend:
    """Hands the adapter one prepared real client."""

    def __init__(self, client: NewAClient) -> None:
        self.client = client

    def new_client(self, store: str, *, jid: JID | None = None, uuid: str | None = None) -> NeonizeClient:
        client: NeonizeClient = self.client
        return client

    async def stored_devices(self, store: SessionStore) -> list[str]:
        return [DEVICE_REF]


def offline(client: NewAClient) -> asyncio.Event:
    """Stand in for the two calls that need Go: `connect` (a session call that blocks until stopped) and `stop`."""
    ended = asyncio.Event()

    async def connect() -> asyncio.Task[bool]:
        return asyncio.get_running_loop().create_task(ended.wait())

    async def stop() -> None:
        ended.set()

    client.connect = connect  # type: ignore[method-assign]
    client.stop = stop  # type: ignore[method-assign]
    return ended


def from_go(client: NewAClient, code: int, event: ProtoMessage) -> None:
    """What goneonize's CallbackFunction does: serialized bytes and an event code, from a Go thread."""
    data = event.SerializeToString()
    buffer = ctypes.create_string_buffer(data, len(data))
    client.event.execute(0, ctypes.addressof(buffer), len(data), code)


def qr_from_go(client: NewAClient, code: bytes) -> None:
    buffer = ctypes.create_string_buffer(code)
    client._NewAClient__onQr(0, ctypes.addressof(buffer))  # type: ignore[attr-defined]


def test_a_new_pairing_client_has_our_device_name_and_a_fresh_device(store: SessionStore) -> None:
    client = NeonizeRuntime().new_client(store.location, uuid="zapdesk-7-abc")

    assert isinstance(client, NewAClient)
    assert client.name == store.location  # neonize's first argument is the store
    assert client.uuid == b"zapdesk-7-abc" and client.new_device is True and client.jid is None
    assert client.device_props.os == "zapdesk"  # else phones list us as "Neonize"
    assert client.device_props.platformType == DeviceProps.CHROME


def test_a_resumed_client_targets_the_stored_device(store: SessionStore) -> None:
    jid = parse_jid(DEVICE_REF)
    client = NeonizeRuntime().new_client(store.location, jid=jid)

    assert isinstance(client, NewAClient)
    assert client.jid == jid and client.new_device is False
    assert client.uuid == BUSINESS.encode()  # neonize keys a resumed client by its phone number


def test_every_subscribed_event_is_one_neonize_dispatches() -> None:
    assert all(event in EVENT_TO_INT for event in SUBSCRIBED_EVENTS)


async def test_events_from_go_threads_reach_the_handler_in_order(
    make_engine: MakeEngine, recorder: Recorder, store: SessionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop = asyncio.get_running_loop()
    monkeypatch.setattr(neonize_events, "event_global_loop", loop)  # set by neonize's own connect()
    client = NeonizeRuntime().new_client(store.location, uuid="zapdesk-7-dispatch")
    assert isinstance(client, NewAClient)
    offline(client)
    engine: NeonizeEngine = make_engine(backend=OneClientBackend(client))
    await engine.start(SessionTarget())
    assert is_live(client.uuid)

    def go_thread() -> None:
        qr_from_go(client, b"2@from-go")
        from_go(client, 0, own_device())  # FetchMe: neonize stores it as `client.me`
        from_go(client, EVENT_TO_INT[ConnectedEv], ConnectedEv(status=True))
        for n in range(20):
            event = message_event(Message(conversation=str(n)), message_id=f"GO{n:02d}")
            from_go(client, EVENT_TO_INT[type(event)], event)

    await asyncio.to_thread(go_thread)
    for _ in range(100):
        await asyncio.sleep(0.01)
        if len(recorder.of(MessageReceived)) == 20:
            break
    await engine.wait_idle()

    assert [event.code for event in recorder.of(QrCode)] == ["2@from-go"]
    [connected] = recorder.states
    assert (connected.state, connected.session_ref) == (EngineState.CONNECTED, DEVICE_REF)
    assert [m.external_id for m in recorder.of(MessageReceived)] == [f"GO{n:02d}" for n in range(20)]

    await engine.stop()
    assert not is_live(client.uuid)
    assert not client._stop_finalizer.alive  # detached: it would stop a later session with the same key


def test_the_factory_builds_an_engine_on_the_connections_own_store(tmp_path: Path) -> None:
    async def handler(event: object) -> None:
        return None

    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/z.db", auth_sessions_dir=tmp_path / "auth")
    engine = create_neonize_engine(settings, "7", handler)

    assert isinstance(engine, NeonizeEngine)
    assert engine._store.path == (tmp_path / "auth" / "connection-7.db").resolve()


def test_importing_the_package_and_its_stores_does_not_load_neonize() -> None:
    code = (
        "import sys, zapdesk.engine.neonize, zapdesk.engine.neonize.session_store;"
        "print(any(name == 'neonize' or name.startswith('neonize.') for name in sys.modules))"
    )
    environment = {key: value for key, value in os.environ.items() if key != "SPHINX"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=True)

    assert result.stdout.strip() == "False"


async def test_a_real_client_whose_go_stop_has_not_returned_keeps_its_finalizer(
    make_engine: MakeEngine, store: SessionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(neonize_events, "event_global_loop", asyncio.get_running_loop())
    client = NeonizeRuntime().new_client(store.location, uuid="zapdesk-7-hung-stop")
    assert isinstance(client, NewAClient)
    ended = offline(client)
    stop_returns = asyncio.Event()

    async def hung_stop() -> None:  # Go's Stop blocked on a socket that will not close
        await stop_returns.wait()
        ended.set()

    client.stop = hung_stop  # type: ignore[method-assign]
    engine: NeonizeEngine = make_engine(backend=OneClientBackend(client), stop_timeout=0.05)
    await engine.start(SessionTarget())

    await engine.stop()
    assert is_live(client.uuid) and client._stop_finalizer.alive  # its Go session may still run: kept

    stop_returns.set()
    while is_live(client.uuid):
        await asyncio.sleep(0.01)
    assert not client._stop_finalizer.alive


def test_neonize_hands_goneonize_the_login_status_callback_our_client_overrides() -> None:
    # `func_string(self.__onLoginStatus)` in neonize's connect: a name-mangled lookup a subclass can answer.
    assert "_NewAClient__onLoginStatus" in NewAClient.connect_with_proxy.__code__.co_names
    assert LoginStatusClient._NewAClient__onLoginStatus is not NewAClient._NewAClient__onLoginStatus  # type: ignore[attr-defined]


async def test_the_end_of_a_qr_window_reported_on_a_go_thread_reaches_the_adapter(
    make_engine: MakeEngine, recorder: Recorder, store: SessionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(neonize_events, "event_global_loop", asyncio.get_running_loop())
    client = NeonizeRuntime().new_client(store.location, uuid="zapdesk-7-outdated")
    assert isinstance(client, LoginStatusClient)
    offline(client)
    engine: NeonizeEngine = make_engine(backend=OneClientBackend(client))
    await engine.start(SessionTarget())
    callback = func_string(client._NewAClient__onLoginStatus)  # what neonize's connect gives goneonize

    def go_thread() -> None:
        qr_from_go(client, b"2@from-go")
        status = ctypes.create_string_buffer(b"err-client-outdated")
        callback(0, ctypes.addressof(status))

    await asyncio.to_thread(go_thread)
    async with asyncio.timeout(5):
        while not recorder.states:
            await asyncio.sleep(0.01)
    await engine.wait_idle()

    assert [state.state for state in recorder.states] == [EngineState.OUTDATED]
