"""Starting, pairing, resuming and losing a session: neonize lifecycle events become our states."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest
from neonize.exc import NeonizeError
from neonize.proto.Neonize_pb2 import ClientOutdated as ClientOutdatedEv
from neonize.proto.Neonize_pb2 import Connected as ConnectedEv
from neonize.proto.Neonize_pb2 import ConnectFailure as ConnectFailureEv
from neonize.proto.Neonize_pb2 import ConnectFailureReason
from neonize.proto.Neonize_pb2 import Disconnected as DisconnectedEv
from neonize.proto.Neonize_pb2 import KeepAliveRestored as KeepAliveRestoredEv
from neonize.proto.Neonize_pb2 import KeepAliveTimeout as KeepAliveTimeoutEv
from neonize.proto.Neonize_pb2 import LoggedOut as LoggedOutEv
from neonize.proto.Neonize_pb2 import StreamReplaced as StreamReplacedEv
from neonize.proto.Neonize_pb2 import TemporaryBan as TemporaryBanEv
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message

from tests.engine.neonize.conftest import DEVICE_REF, MakeEngine
from tests.engine.neonize.fakes import FakeBackend, FakeClient, Recorder
from tests.engine.neonize.protos import BUSINESS, message_event, own_device
from zapdesk.engine.base import NotConnected
from zapdesk.engine.events import (
    Chat,
    EngineState,
    MessageReceived,
    OutgoingMessage,
    PairingCode,
    QrCode,
    SessionTarget,
    StateChanged,
)
from zapdesk.engine.neonize.adapter import NeonizeEngine, QrTimings
from zapdesk.engine.neonize.session_store import SessionStore

Connected = tuple[NeonizeEngine, FakeClient]
JID_FIELDS = ("User", "RawAgent", "Device", "Integrator", "Server", "IsEmpty")


async def after(connected: Connected, recorder: Recorder, *events: object) -> list[StateChanged]:
    engine, client = connected
    before = len(recorder.states)
    await client.deliver(*events)
    await engine.wait_idle()
    return recorder.states[before:]


# ---- connected and transient trouble -----------------------------------------------------------------------------


async def test_connected_reports_our_number_and_device_jid(connected: Connected, recorder: Recorder) -> None:
    assert recorder.states == [
        StateChanged(EngineState.CONNECTED, phone=BUSINESS, session_ref="5511900001111:12@s.whatsapp.net")
    ]


async def test_disconnect_is_reconnecting_and_leaves_reconnecting_to_whatsmeow(
    connected: Connected, recorder: Recorder
) -> None:
    _, client = connected
    states = await after(connected, recorder, DisconnectedEv(status=True))

    assert [s.state for s in states] == [EngineState.RECONNECTING]
    assert (client.connects, client.stops) == (1, 0)  # no second connect: two sockets would fight

    states = await after(connected, recorder, ConnectedEv(status=True))
    assert [s.state for s in states] == [EngineState.CONNECTED]
    assert states[0].session_ref == DEVICE_REF


async def test_keepalive_timeout_then_restored(connected: Connected, recorder: Recorder) -> None:
    states = await after(connected, recorder, KeepAliveTimeoutEv(ErrorCount=3), KeepAliveRestoredEv())

    assert [s.state for s in states] == [EngineState.RECONNECTING, EngineState.CONNECTED]
    assert states[0].reason is not None and "keep-alive" in states[0].reason
    assert states[1].session_ref == DEVICE_REF


async def test_service_unavailable_connect_failure_is_left_to_whatsmeows_reconnect(
    connected: Connected, recorder: Recorder
) -> None:
    _, client = connected
    failure = ConnectFailureEv(Reason=ConnectFailureReason.SERVICE_UNAVAILABLE, Message="try later")
    states = await after(connected, recorder, failure)

    assert [s.state for s in states] == [EngineState.RECONNECTING]
    assert client.stops == 0


# ---- terminal --------------------------------------------------------------------------------------------------


async def test_logged_out_is_terminal_and_ends_the_go_session(connected: Connected, recorder: Recorder) -> None:
    engine, client = connected
    states = await after(
        connected,
        recorder,
        LoggedOutEv(OnConnect=False, Reason=ConnectFailureReason.LOGGED_OUT),
        DisconnectedEv(status=True),  # what follows a logout is not news
    )

    assert [s.state for s in states] == [EngineState.LOGGED_OUT]
    assert states[0].reason is not None and "logged_out" in states[0].reason
    assert client.stops == 1
    with pytest.raises(NotConnected):
        await engine.send(Chat(address="5511988887777"), OutgoingMessage(message_id="X", text="oi"))


async def test_stream_replaced_is_replaced(connected: Connected, recorder: Recorder) -> None:
    _, client = connected
    states = await after(connected, recorder, StreamReplacedEv())

    assert [s.state for s in states] == [EngineState.REPLACED]
    assert client.stops == 1


async def test_temporary_ban_is_banned_until_its_expiry(connected: Connected, recorder: Recorder) -> None:
    states = await after(connected, recorder, TemporaryBanEv(Code=TemporaryBanEv.SEND_TO_TOO_MANY_PEOPLE, Expire=3600))

    [banned] = states
    assert banned.state is EngineState.BANNED
    assert banned.reason is not None and "send_to_too_many_people" in banned.reason
    assert banned.until is not None
    assert abs(banned.until - (datetime.now(UTC) + timedelta(hours=1))) < timedelta(seconds=30)


async def test_client_outdated_is_outdated(connected: Connected, recorder: Recorder) -> None:
    states = await after(connected, recorder, ClientOutdatedEv())

    assert [s.state for s in states] == [EngineState.OUTDATED]


async def test_connect_failure_is_failed_with_its_reason(connected: Connected, recorder: Recorder) -> None:
    failure = ConnectFailureEv(Reason=ConnectFailureReason.BAD_USER_AGENT, Message="bad ua")
    [failed] = await after(connected, recorder, failure)

    assert failed.state is EngineState.FAILED
    assert failed.reason is not None and "bad_user_agent: bad ua" in failed.reason


# ---- starting ----------------------------------------------------------------------------------------------------


async def test_resume_refuses_a_jid_missing_from_the_store(
    make_engine: MakeEngine, backend: FakeBackend, recorder: Recorder
) -> None:
    backend.devices = ["5511911112222:3@s.whatsapp.net"]  # another account; ours was deleted by whatsmeow
    engine = make_engine()
    await engine.start(SessionTarget(session_ref=DEVICE_REF))
    await engine.wait_idle()

    assert backend.clients == []  # resuming it would be a Go nil-pointer panic
    [logged_out] = recorder.states
    assert logged_out.state is EngineState.LOGGED_OUT


async def test_resume_opens_the_stored_device_with_every_jid_field_set(
    make_engine: MakeEngine, backend: FakeBackend
) -> None:
    backend.devices = ["5511911112222:3@s.whatsapp.net", DEVICE_REF]
    engine = make_engine()
    await engine.start(SessionTarget(session_ref=DEVICE_REF))

    [created] = backend.created_with
    jid = created["jid"]
    assert all(jid.HasField(name) for name in JID_FIELDS)  # Go dereferences each one
    assert (jid.User, jid.Device, jid.Server) == ("5511900001111", 12, "s.whatsapp.net")
    assert created["store"] == engine._store.location
    assert backend.client.connects == 1


async def test_an_unreadable_store_is_failed_not_logged_out(
    make_engine: MakeEngine, backend: FakeBackend, recorder: Recorder
) -> None:
    async def broken(store: SessionStore) -> list[str]:
        raise RuntimeError("database is locked")

    backend.stored_devices = broken  # type: ignore[method-assign]
    engine = make_engine()
    await engine.start(SessionTarget(session_ref=DEVICE_REF))
    await engine.wait_idle()

    [failed] = recorder.states
    assert failed.state is EngineState.FAILED and "database is locked" in (failed.reason or "")


async def test_new_pairing_is_a_new_device_with_a_unique_uuid(make_engine: MakeEngine, backend: FakeBackend) -> None:
    first, second = make_engine(), make_engine(connection_key="8")
    await first.start(SessionTarget())
    await second.start(SessionTarget())

    uuids = [created["uuid"] for created in backend.created_with]
    assert all(created["jid"] is None for created in backend.created_with)
    assert len(set(uuids)) == 2 and all(uuid.startswith("zapdesk-") for uuid in uuids)
    assert all(client.event.qr_handler is not None for client in backend.clients)
    assert all(ConnectedEv in client.event.handlers for client in backend.clients)  # registered before connect


async def test_a_failed_first_connect_is_failed_with_the_go_error(
    make_engine: MakeEngine, backend: FakeBackend, recorder: Recorder
) -> None:
    backend.devices = [DEVICE_REF]
    backend.prepare = lambda client: setattr(client, "connect_error", RuntimeError("dial tcp: network unreachable"))
    engine = make_engine()
    await engine.start(SessionTarget(session_ref=DEVICE_REF))
    await asyncio.sleep(0.05)
    await engine.wait_idle()

    [failed] = recorder.states
    assert failed.state is EngineState.FAILED
    assert failed.reason == "dial tcp: network unreachable"
    assert backend.client.stops == 1  # Go's maps cleaned before the worker retries


async def test_a_session_that_ends_by_itself_is_failed(connected: Connected, recorder: Recorder) -> None:
    engine, client = connected
    client._ended.set()  # Go's session call returned although nobody stopped it
    await asyncio.sleep(0.05)
    await engine.wait_idle()

    assert recorder.states[-1].state is EngineState.FAILED


async def test_a_resume_that_never_connects_fails_after_the_timeout(
    make_engine: MakeEngine, backend: FakeBackend, recorder: Recorder
) -> None:
    backend.devices = [DEVICE_REF]
    engine = make_engine(connect_timeout=0.1)
    await engine.start(SessionTarget(session_ref=DEVICE_REF))
    await asyncio.sleep(0.3)
    await engine.wait_idle()

    [failed] = recorder.states
    assert failed.state is EngineState.FAILED and "did not answer" in (failed.reason or "")
    assert backend.client.stops == 1


# ---- QR window and pairing code ----------------------------------------------------------------------------------


async def test_qr_codes_rotate_then_the_window_ends_in_qr_expired(
    make_engine: MakeEngine, backend: FakeBackend, recorder: Recorder
) -> None:
    engine = make_engine(qr_timings=QrTimings(first=0.3, following=0.1, codes=3, grace=0.05))
    await engine.start(SessionTarget())
    client = backend.client
    shown_at = datetime.now(UTC)
    for n in range(3):
        await client.show_qr(f"2@code-{n}")
        await engine.wait_idle()
    await client.show_qr("2@beyond-the-budget")
    await engine.wait_idle()

    codes = recorder.of(QrCode)
    assert [code.code for code in codes] == ["2@code-0", "2@code-1", "2@code-2"]
    assert codes[0].expires_at - shown_at >= timedelta(seconds=0.3)
    assert codes[1].expires_at - shown_at < timedelta(seconds=0.3)  # 20 s after the first, in real life
    assert recorder.states == []

    await asyncio.sleep(0.25)
    await engine.wait_idle()
    [expired] = recorder.states
    assert expired.state is EngineState.QR_EXPIRED
    assert client.stops == 1  # the window is torn down, not looped

    await client.show_qr("2@late")
    await engine.wait_idle()
    assert len(recorder.of(QrCode)) == 3


async def test_a_window_that_never_shows_a_code_expires_too(
    make_engine: MakeEngine, backend: FakeBackend, recorder: Recorder
) -> None:
    engine = make_engine(qr_timings=QrTimings(first=0.1, following=0.1, codes=6, grace=0.05))
    await engine.start(SessionTarget())
    await asyncio.sleep(0.3)
    await engine.wait_idle()

    assert [s.state for s in recorder.states] == [EngineState.QR_EXPIRED]


async def test_a_scan_inside_the_window_connects_and_stops_the_expiry(
    make_engine: MakeEngine, backend: FakeBackend, recorder: Recorder
) -> None:
    engine = make_engine(qr_timings=QrTimings(first=0.15, following=0.1, codes=2, grace=0.05))
    await engine.start(SessionTarget())
    client = backend.client
    await client.show_qr("2@scan-me")
    client.me = client.own_device = own_device()  # paired: Go's FetchMe fills in our device
    await client.deliver(ConnectedEv(status=True))
    await asyncio.sleep(0.3)
    await engine.wait_idle()

    assert [s.state for s in recorder.states] == [EngineState.CONNECTED]
    assert recorder.states[0].session_ref == DEVICE_REF
    assert client.stops == 0


@pytest.mark.parametrize(
    ("status", "state", "words"),
    [
        ("timeout", EngineState.QR_EXPIRED, "no QR code was scanned"),
        ("err-client-outdated", EngineState.OUTDATED, "client version"),
        ("err-unexpected-state", EngineState.FAILED, "may be banned"),
        ("err-scanned-without-multidevice", EngineState.FAILED, "multi-device"),
        ("error", EngineState.FAILED, "pairing ended: error"),
    ],
)
async def test_the_end_of_a_qr_window_says_why_as_whatsmeow_reported_it(
    make_engine: MakeEngine, backend: FakeBackend, recorder: Recorder, status: str, state: EngineState, words: str
) -> None:
    engine = make_engine(qr_timings=QrTimings(first=60, following=20, codes=6, grace=5))
    await engine.start(SessionTarget())
    client = backend.client
    await client.show_qr("2@first")
    await client.end_qr_window(status)  # from a Go thread, long before our own timer
    async with asyncio.timeout(5):
        while not recorder.states:
            await asyncio.sleep(0.01)
    await engine.wait_idle()

    [ended] = recorder.states
    assert ended.state is state and words in (ended.reason or "")
    assert client.stops == 1


async def test_a_scan_cancels_the_qr_timer_so_a_slow_first_connect_fails_as_a_connect_not_an_expired_code(
    make_engine: MakeEngine, backend: FakeBackend, recorder: Recorder
) -> None:
    # The code would expire after 0.15 s; the first connection gets 0.5 s from the scan.
    engine = make_engine(qr_timings=QrTimings(first=0.1, following=0.1, codes=2, grace=0.05), connect_timeout=0.5)
    await engine.start(SessionTarget())
    client = backend.client
    await client.show_qr("2@scan-me")
    await client.end_qr_window("success")
    async with asyncio.timeout(5):
        while not recorder.states:
            await asyncio.sleep(0.01)

    [failed] = recorder.states
    assert failed.state is EngineState.FAILED and "paired, but WhatsApp did not connect" in (failed.reason or "")


async def test_the_reconnect_whatsmeow_makes_right_after_pairing_is_not_news(
    make_engine: MakeEngine, backend: FakeBackend, recorder: Recorder
) -> None:
    engine = make_engine(qr_timings=QrTimings(first=60, following=20, codes=6, grace=5))
    await engine.start(SessionTarget())
    client = backend.client
    await client.show_qr("2@scan-me")
    await client.end_qr_window("success")
    await client.deliver(DisconnectedEv(status=True))  # code 515: whatsmeow connects again after pairing
    client.me = client.own_device = own_device()
    await client.deliver(ConnectedEv(status=True))
    await engine.wait_idle()

    assert [s.state for s in recorder.states] == [EngineState.CONNECTED]
    assert recorder.states[0].session_ref == DEVICE_REF


async def test_pairing_code_is_asked_for_after_the_first_qr(
    make_engine: MakeEngine, backend: FakeBackend, recorder: Recorder
) -> None:
    engine = make_engine(qr_timings=QrTimings(first=60, following=20, codes=6, grace=5))
    await engine.start(SessionTarget(pairing_phone="+55 (11) 98888-7777"))
    client = backend.client
    started = datetime.now(UTC)
    await client.show_qr("2@first")
    await client.show_qr("2@second")
    await engine.wait_idle()

    assert [request[0] for request in client.pair_requests] == ["5511988887777"]  # once, digits only
    [pairing] = recorder.of(PairingCode)
    assert pairing.code == "ABCD-EFGH"
    # Valid for the rest of the same window (~160 s), not just one QR code's lifetime.
    assert timedelta(seconds=155) < pairing.expires_at - started < timedelta(seconds=165)


# ---- handlers and stopping ---------------------------------------------------------------------------------------


async def test_a_failing_handler_is_logged_and_the_next_event_still_arrives(
    connected: Connected, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    engine, client = connected
    recorder.fail_on = lambda event: isinstance(event, MessageReceived) and event.external_id == "BROKEN"
    with caplog.at_level(logging.ERROR, logger="zapdesk.engine.neonize.adapter"):
        await client.deliver(
            message_event(Message(conversation="a"), message_id="BROKEN"),
            message_event(Message(conversation="b"), message_id="AFTER"),
        )
        await engine.wait_idle()

    assert [m.external_id for m in recorder.of(MessageReceived)] == ["BROKEN", "AFTER"]
    [record] = [r for r in caplog.records if r.exc_info]
    assert "the handler broke on MessageReceived" in str(record.exc_info[1])  # type: ignore[index]


async def test_stop_ends_the_go_session_and_then_commands_refuse(connected: Connected, recorder: Recorder) -> None:
    engine, client = connected
    await engine.stop()
    await client.deliver(DisconnectedEv(status=True))  # Go may still say something: not after our stop
    await asyncio.sleep(0.01)

    assert client.stops == 1
    assert [s.state for s in recorder.states] == [EngineState.CONNECTED]
    assert not await engine.is_connected()
    with pytest.raises(NotConnected):
        await engine.mark_read(Chat(address="5511988887777"), ["M1"])


async def test_logout_unlinks_and_ends_the_session(connected: Connected) -> None:
    engine, client = connected
    await engine.logout()

    assert (client.logouts, client.stops) == (1, 1)


async def test_logout_without_a_live_session_forgets_the_local_keys(make_engine: MakeEngine) -> None:
    engine = make_engine()
    path = engine._store.path
    assert path is not None
    path.parent.mkdir(parents=True)
    path.write_bytes(b"keys")
    path.with_name(path.name + "-wal").write_bytes(b"more keys")

    await engine.logout()

    assert list(path.parent.iterdir()) == []


async def test_a_stopped_clients_late_events_do_not_reach_the_next_session(
    connected: Connected, backend: FakeBackend, recorder: Recorder
) -> None:
    engine, old = connected
    await engine.start(SessionTarget(session_ref=DEVICE_REF))  # a restart: the old client is stopped first
    new = backend.client
    await new.deliver(ConnectedEv(status=True))
    await old.deliver(DisconnectedEv(status=True))  # Go still had this queued for the old session
    await engine.wait_idle()

    assert new is not old and old.stops == 1
    assert [s.state for s in recorder.states] == [EngineState.CONNECTED, EngineState.CONNECTED]


@pytest.mark.parametrize(
    ("field", "kind"),
    [("Receipt.Type", "Receipt"), ("TemporaryBan.Code", "TemporaryBan"), ("ConnectFailure.Reason", "ConnectFailure")],
)
async def test_an_event_goneonize_cannot_encode_ends_the_session_which_is_started_again(
    connected: Connected, recorder: Recorder, caplog: pytest.LogCaptureFixture, field: str, kind: str
) -> None:
    engine, client = connected
    # goneonize's CallbackFunction returns proto.Marshal's error (a "server-error" receipt, a new ban code, a new
    # connect-failure reason), and neonize raises it from the connect task.
    with caplog.at_level(logging.ERROR, logger="zapdesk.engine.neonize.adapter"):
        client.end_session(NeonizeError(f"proto: required field neonize.{field} not set"))
        async with asyncio.timeout(5):
            while recorder.states[-1].state is EngineState.CONNECTED:
                await asyncio.sleep(0.01)
        await engine.wait_idle()

    failed = recorder.states[-1]
    assert failed.state is EngineState.FAILED  # the worker starts it again, with its backoff
    assert failed.reason == f"neonize could not pass on a {kind} event from WhatsApp; the session is started again"
    assert client.stops == 1  # whatsmeow no longer acknowledges what nobody passes on
    assert any(kind in record.getMessage() for record in caplog.records)
