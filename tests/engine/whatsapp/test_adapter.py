"""The adapter with the built engine program: verdicts follow the handler, states follow whatsmeow, and a dead
program is started again with its sessions."""

from __future__ import annotations

import asyncio
import os
import signal
from dataclasses import replace
from pathlib import Path

from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import ImageMessage, Message

from tests.engine.neonize.fakes import Recorder
from tests.engine.neonize.protos import jid, message_event
from tests.engine.whatsapp.conftest import DEVICE_REF, ConnectEngine, MakeEngine, debug_spec
from tests.engine.whatsapp.inject import message_event as protocol_message
from zapdesk.engine.base import NotConnected
from zapdesk.engine.events import Chat, EngineState, MediaContent, MessageReceived, OutgoingMessage, SessionTarget
from zapdesk.engine.neonize.convert import media_to_download
from zapdesk.engine.whatsapp.host import EngineHost, EngineProgramError
from zapdesk.engine.whatsapp.protocol import zapdesk_engine_pb2 as pb


async def inject(host: EngineHost, event: pb.Event) -> asyncio.Task[pb.Response]:
    return asyncio.create_task(host.request("7", debug_inject=pb.DebugInject(event=event)))


def text(message_id: str) -> pb.Event:
    return protocol_message(message_event(Message(conversation="oi"), message_id=message_id))


async def until(condition: object, *, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.01)


async def test_whatsmeows_handler_returns_only_after_ours_returned(
    connect_engine: ConnectEngine, host: EngineHost, recorder: Recorder
) -> None:
    await connect_engine()
    recorder.messages_stored = asyncio.Event()

    delivery = await inject(host, text("M1"))
    await until(lambda: recorder.of(MessageReceived))
    await asyncio.sleep(0)  # the program had every chance to answer early

    assert not delivery.done()
    recorder.messages_stored.set()
    assert (await delivery).handler_failed is False


async def test_a_failing_handler_fails_whatsmeows_so_no_receipt_goes(
    connect_engine: ConnectEngine, host: EngineHost, recorder: Recorder
) -> None:
    await connect_engine()
    recorder.fail_on = lambda event: isinstance(event, MessageReceived)

    assert (await (await inject(host, text("M1")))).handler_failed is True


async def test_events_that_are_not_conversations_are_acknowledged_without_the_handler(
    connect_engine: ConnectEngine, host: EngineHost, recorder: Recorder
) -> None:
    await connect_engine()
    status = protocol_message(message_event(Message(conversation="story"), chat=jid("status", "broadcast")))

    assert (await (await inject(host, status))).handler_failed is False
    assert recorder.of(MessageReceived) == []


async def test_resuming_sets_connected_with_the_device_to_resume_with(
    connect_engine: ConnectEngine, recorder: Recorder
) -> None:
    await connect_engine()

    state = recorder.states[0]
    assert (state.state, state.session_ref, state.phone) == (EngineState.CONNECTED, DEVICE_REF, "5511900001111")


async def test_a_device_missing_from_the_store_needs_a_new_scan(make_engine: MakeEngine, recorder: Recorder) -> None:
    engine = make_engine()
    await engine.start(SessionTarget(session_ref=DEVICE_REF))
    await until(lambda: recorder.states)

    assert recorder.states[0].state is EngineState.LOGGED_OUT


async def test_a_ban_ends_the_session_until_its_expiry(
    connect_engine: ConnectEngine, host: EngineHost, recorder: Recorder
) -> None:
    engine, _ = await connect_engine()
    until_ts = 4_000_000_000
    await (await inject(host, pb.Event(ended=pb.EndedEvent(cause=pb.EndedEvent.BANNED, banned_until=until_ts))))
    await engine.wait_idle()

    banned = recorder.states[-1]
    assert banned.state is EngineState.BANNED and banned.until is not None
    assert abs(banned.until.timestamp() - until_ts) < 5


async def test_sending_without_a_connection_says_not_connected(make_engine: MakeEngine) -> None:
    engine = make_engine()

    try:
        await engine.send(Chat(address="5511988887777"), OutgoingMessage(message_id=engine.new_message_id(), text="oi"))
    except NotConnected:
        return
    raise AssertionError("sending while not connected must raise NotConnected")


async def test_a_killed_program_fails_the_waiting_handler_and_its_sessions_start_again(
    connect_engine: ConnectEngine, host: EngineHost, recorder: Recorder
) -> None:
    engine, _ = await connect_engine()
    recorder.messages_stored = asyncio.Event()
    delivery = await inject(host, text("M1"))
    await until(lambda: recorder.of(MessageReceived))
    first = host.process
    assert first is not None

    os.kill(first.pid, signal.SIGKILL)
    try:
        await delivery
    except EngineProgramError:
        pass  # its answer can never come: whatsmeow sent no receipt, so WhatsApp delivers it again
    else:
        raise AssertionError("the delivery must fail with its program")
    recorder.messages_stored.set()  # the worker commits it after all; the verdict has no program to go to
    await until(lambda: host.process is not first and host.running, timeout=10)
    await until(lambda: [s.state for s in recorder.states][-2:] == [EngineState.RECONNECTING, EngineState.CONNECTED])

    again = await inject(host, text("M1"))
    assert (await again).handler_failed is False
    await engine.wait_idle()


async def test_the_debug_build_is_refused_where_it_is_not_allowed(tmp_path: Path) -> None:
    spec = replace(debug_spec(f"sqlite:{tmp_path / 'store.db'}"), allow_debug_build=False)
    host = EngineHost(spec)
    try:
        await host.request("7", stop=pb.StopSession())
    except EngineProgramError as exc:
        assert "debug build" in str(exc)
    else:
        raise AssertionError("a debug build must not run where it is not allowed")
    finally:
        await host.close()
    assert host.process is not None and host.process.returncode is not None


async def test_a_photo_is_handed_over_before_its_file_with_the_reference_to_fetch_it_by(
    connect_engine: ConnectEngine, host: EngineHost, recorder: Recorder
) -> None:
    await connect_engine()
    image = ImageMessage(mimetype="image/jpeg", directPath="/v/t62/photo", mediaKey=b"k" * 32, caption="olha")
    delivery = await inject(host, protocol_message(message_event(Message(imageMessage=image), message_id="P1")))

    assert (await delivery).handler_failed is False  # stored (here: recorded) before any download
    [photo] = recorder.of(MessageReceived)
    assert isinstance(photo.content, MediaContent) and photo.content.data is None
    assert (photo.content.caption, photo.content.ref is not None) == ("olha", True)
    assert media_to_download(photo.content.ref or "").imageMessage.directPath == "/v/t62/photo"
