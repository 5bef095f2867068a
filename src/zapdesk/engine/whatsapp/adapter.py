"""The `Engine` for real WhatsApp through zapdesk-wa, our engine program on whatsmeow. One instance per connection.

The program hands over each message and receipt with an id, and its whatsmeow handler waits: this adapter answers
ok only once the worker's handler returned (the event is committed), and a failure otherwise; WhatsApp gets its
receipt only after an ok. Messages and receipts reach the handler without waiting for the earlier ones to return
(`InFlight`), so the worker stores a backlog in one transaction; any other event waits for them.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from neonize.proto.Neonize_pb2 import JID, UploadResponse
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message

from zapdesk.engine.base import EngineError, EventHandler, NotConnected
from zapdesk.engine.events import (
    Chat,
    EngineEvent,
    EngineState,
    MediaKind,
    OutgoingMedia,
    OutgoingMessage,
    PairingCode,
    QrCode,
    SendResult,
    SessionTarget,
    StateChanged,
)
from zapdesk.engine.inflight import InFlight
from zapdesk.engine.neonize import convert
from zapdesk.engine.whatsapp import wire
from zapdesk.engine.whatsapp.host import EngineHost, EngineProgramError
from zapdesk.engine.whatsapp.protocol import zapdesk_engine_pb2 as pb
from zapdesk.kit.phones import phone_or_none

log = logging.getLogger(__name__)

# whatsmeow's QR window: about 6 codes, 60 s for the first and 20 s each after.
QR_WINDOW_SECONDS = 160.0
_UPLOAD_TYPES = {
    MediaKind.IMAGE: pb.MEDIA_IMAGE,
    MediaKind.STICKER: pb.MEDIA_IMAGE,
    MediaKind.VIDEO: pb.MEDIA_VIDEO,
    MediaKind.AUDIO: pb.MEDIA_AUDIO,
    MediaKind.VOICE: pb.MEDIA_AUDIO,
    MediaKind.DOCUMENT: pb.MEDIA_DOCUMENT,
}
_ENDED_STATES = {
    pb.EndedEvent.QR_EXPIRED: EngineState.QR_EXPIRED,
    pb.EndedEvent.REPLACED: EngineState.REPLACED,
    pb.EndedEvent.BANNED: EngineState.BANNED,
    pb.EndedEvent.OUTDATED: EngineState.OUTDATED,
    pb.EndedEvent.FAILED: EngineState.FAILED,
    pb.EndedEvent.UNKNOWN_DEVICE: EngineState.LOGGED_OUT,
}
_STOP = object()


@dataclass(frozen=True, slots=True)
class _Received:
    """An event, and which program sent it (its verdict goes back to that one only)."""

    event: pb.Event
    program: int


class WhatsAppEngine:
    """One WhatsApp connection in the worker's engine program. Construct with `create_whatsapp_engine`."""

    def __init__(
        self,
        *,
        connection_key: str,
        handler: EventHandler,
        host: EngineHost,
        stop_timeout: float = 15.0,
    ) -> None:
        self.connection_key = connection_key
        self._handler = handler
        self._host = host
        self._stop_timeout = stop_timeout
        self._queue: asyncio.Queue[_Received | object] = asyncio.Queue()
        self._consumer: asyncio.Task[None] | None = None
        self._in_flight = InFlight()
        self._device_jid: str | None = None
        self._own_phone: str | None = None
        self._pairing_phone: str | None = None
        self._qr_window_end: datetime | None = None
        self._lid_phones: dict[str, str] = {}
        self._connected = False
        self._running = False
        self._resuming: asyncio.Task[None] | None = None

    # ---- lifecycle -----------------------------------------------------------------------------------------------

    async def start(self, target: SessionTarget) -> None:
        if self._running:
            await self.stop()
        self._running, self._connected = True, False
        self._device_jid = target.session_ref
        self._pairing_phone = phone_or_none(target.pairing_phone or "")
        self._qr_window_end = None
        self._queue = asyncio.Queue()
        self._consumer = asyncio.create_task(self._consume(), name=f"zapdesk-wa-{self.connection_key}")
        self._host.attach(self.connection_key, self)
        await self._start_session()

    async def _start_session(self) -> None:
        """Ask the program for the session; failures become states (`start` never raises for them)."""
        command = pb.StartSession(device_jid=self._device_jid or "", pairing_phone=self._pairing_phone or "")
        try:
            await self._host.request(self.connection_key, start=command)
        except EngineError as exc:
            self._queue.put_nowait(
                _local(_ended(pb.EndedEvent.FAILED, f"the engine program could not start it: {exc}"))
            )

    async def stop(self) -> None:
        """Close the session (keys kept); events already received still reach the handler, within a timeout.

        Also after the program ended the session by itself (logged out, replaced, banned): the events before that
        still go out, and the adapter lets go of the program."""
        if self._resuming is not None:
            self._resuming.cancel()
        if self._running:
            self._running = False
            try:
                await self._host.request(self.connection_key, start_program=False, stop=pb.StopSession())
            except EngineError as exc:
                log.info("connection %s: stop: %s", self.connection_key, exc)
        self._host.detach(self.connection_key, self)
        consumer, self._consumer = self._consumer, None
        if consumer is None or consumer.done():
            return
        self._queue.put_nowait(_STOP)
        if consumer is asyncio.current_task():
            return
        try:
            await asyncio.wait_for(asyncio.shield(consumer), self._stop_timeout)
        except TimeoutError:
            log.warning(
                "connection %s: events still queued at stop were dropped (not acknowledged)", self.connection_key
            )
            consumer.cancel()
            self._in_flight.cancel()

    async def logout(self) -> None:
        """Unlink from the phone; whatsmeow deletes the keys. A stopped session is resumed just for that."""
        try:
            await self._host.request(self.connection_key, logout=pb.Logout(device_jid=self._device_jid or ""))
        except EngineProgramError as exc:
            raise EngineError(f"the engine program is not available: {exc}") from exc
        self._running = False
        self._host.detach(self.connection_key, self)

    async def wait_idle(self) -> None:
        """Until every event received so far has been handed to the handler, and the handler returned."""
        await self._queue.join()
        await self._in_flight.settle()

    def on_event(self, event: pb.Event, program: int) -> None:
        self._queue.put_nowait(_Received(event, program))

    def on_program_lost(self) -> None:
        """The program died with the session: say so, then start the session again in a new program."""
        if self._running:
            self._queue.put_nowait(_local(pb.Event(disconnected=pb.DisconnectedEvent())))
            self._resuming = asyncio.ensure_future(self._resume_after_program_loss())

    async def _resume_after_program_loss(self) -> None:
        if self._running:
            await self._start_session()

    # ---- commands ------------------------------------------------------------------------------------------------

    def new_message_id(self) -> str:
        return convert.new_message_id()

    async def send(self, chat: Chat, message: OutgoingMessage) -> SendResult:
        if message.media is None:
            proto = convert.text_message(message.text, message.quoted, self._own_phone, forwarded=message.forwarded)
        else:
            proto = await self._media_message(message.media, message)
        return await self._send(chat, proto, message.message_id)

    async def react(
        self, chat: Chat, target_id: str, emoji: str, *, target_from_me: bool, target_sender: str | None = None
    ) -> SendResult:
        proto = convert.reaction_message(
            chat, target_id, emoji, target_from_me=target_from_me, target_sender=target_sender, now=datetime.now(UTC)
        )
        return await self._send(chat, proto, convert.new_message_id())

    async def edit(self, chat: Chat, target_id: str, text: str) -> SendResult:
        proto = convert.edit_message(chat, target_id, text, now=datetime.now(UTC))
        return await self._send(chat, proto, convert.new_message_id())

    async def revoke(self, chat: Chat, target_id: str) -> SendResult:
        return await self._send(chat, convert.revoke_message(chat, target_id), convert.new_message_id())

    async def profile_picture(self, chat: Chat) -> bytes | None:
        # zapdesk-wa's protocol has no command for profile pictures yet: contacts keep their initials.
        return None

    async def mark_read(self, chat: Chat, external_ids: list[str], *, sender: str | None = None) -> None:
        if external_ids:
            # whatsmeow needs the author in groups (the receipt's `participant`).
            author = convert.person_jid_str(sender) if chat.is_group and sender else ""
            command = pb.MarkRead(chat_jid=_chat_jid(chat), message_ids=external_ids, sender_jid=author)
            await self._command("mark read", mark_read=command)

    async def download(self, ref: str) -> bytes:
        try:
            message = convert.media_to_download(ref)
        except ValueError as exc:
            raise EngineError(str(exc), retryable=False) from exc
        if not self._connected:
            raise NotConnected()
        try:
            response = await self._command("download", download=pb.Download(message=message.SerializeToString()))
        except NotConnected:
            raise
        except EngineError as exc:
            raise convert.download_error(exc) from exc
        return bytes(response.downloaded)

    async def set_typing(self, chat: Chat, typing: bool) -> None:
        await self._command("typing", typing=pb.SetTyping(chat_jid=_chat_jid(chat), composing=typing))

    async def _send(self, chat: Chat, proto: Message, message_id: str) -> SendResult:
        if not self._connected:
            raise NotConnected()
        command = pb.SendMessage(chat_jid=_chat_jid(chat), message=proto.SerializeToString(), message_id=message_id)
        response = await self._command("send", send=command)
        return SendResult(external_id=response.sent.message_id, timestamp=convert.from_seconds(response.sent.timestamp))

    async def _media_message(self, media: OutgoingMedia, message: OutgoingMessage) -> Message:
        if not self._connected:
            raise NotConnected()
        response = await self._command(
            "upload", upload=pb.Upload(data=media.data, media_type=_UPLOAD_TYPES[media.kind])
        )
        uploaded = response.uploaded
        upload = UploadResponse(
            url=uploaded.url,
            DirectPath=uploaded.direct_path,
            Handle="",
            MediaKey=uploaded.media_key,
            FileEncSHA256=uploaded.file_enc_sha256,
            FileSHA256=uploaded.file_sha256,
            FileLength=uploaded.file_length,
        )
        return convert.media_message(
            media, message.text, upload, message.quoted, self._own_phone, forwarded=message.forwarded
        )

    async def _command(self, what: str, **command: Any) -> pb.Response:  # Any: protobuf messages are untyped
        try:
            return await self._host.request(self.connection_key, **command)
        except EngineProgramError as exc:
            raise NotConnected(f"{what}: the engine program is restarting ({exc})") from exc

    # ---- events --------------------------------------------------------------------------------------------------

    async def _consume(self) -> None:
        queue = self._queue
        while True:
            item = await queue.get()
            try:
                if item is _STOP:
                    await self._in_flight.settle()
                    return
                assert isinstance(item, _Received)
                if item.event.WhichOneof("kind") not in ("message", "receipt"):
                    await self._in_flight.settle()  # a state change comes after the events before it
                await self._process(item)
            except Exception:
                log.exception("connection %s: handling an engine event failed", self.connection_key)
                if isinstance(item, _Received) and item.event.id:
                    await self._host.verdict(item.event.id, item.program, ok=False, error="the adapter failed")
            finally:
                queue.task_done()

    async def _process(self, received: _Received) -> None:
        event = received.event
        kind = event.WhichOneof("kind")
        if kind == "message":
            await self._on_message(received, event.message)
        elif kind == "receipt":
            await self._on_receipt(received, event.receipt)
        elif kind == "qr":
            await self._on_qr(event.qr)
        elif kind == "pairing_code":
            expires_at = self._qr_window_end or datetime.now(UTC) + timedelta(seconds=QR_WINDOW_SECONDS)
            await self._handler(PairingCode(code=event.pairing_code.code, expires_at=expires_at))
        elif kind == "connected":
            await self._on_connected(event.connected)
        elif kind == "disconnected":
            await self._state(convert.reconnecting_state("connection lost; reconnecting"))
        elif kind == "keep_alive":
            await self._on_keep_alive(event.keep_alive)
        elif kind == "logged_out":
            when = " while connecting" if event.logged_out.on_connect else ""
            reason = f"unlinked from the phone{when} ({event.logged_out.reason or 'logged_out'})"
            await self._state(StateChanged(EngineState.LOGGED_OUT, reason=reason))
        elif kind == "ended":
            await self._state(_ended_state(event.ended))
        elif kind == "offline_sync":
            sync = event.offline_sync
            log.info(
                "connection %s: offline backlog %s (%d)",
                self.connection_key,
                "done" if sync.completed else "coming",
                sync.count,
            )

    async def _on_message(self, received: _Received, message: pb.MessageEvent) -> None:
        neonize_event = wire.message_ev(message)
        await convert.learn_lid_phones(neonize_event.Info.MessageSource, self._lid_phones, self._phone_of)
        normalized = convert.message_event(neonize_event, self._lid_phones)
        if normalized is None:
            await self._verdict(received, ok=True)  # not a conversation: nothing to store
            return
        await self._hand_over(received, normalized)  # a file comes later: the worker downloads it once this is stored

    async def _on_receipt(self, received: _Received, receipt: pb.ReceiptEvent) -> None:
        neonize_receipt = wire.receipt_ev(receipt)
        normalized = None
        if neonize_receipt is not None:
            await convert.learn_lid_phones(neonize_receipt.MessageSource, self._lid_phones, self._phone_of)
            normalized = convert.receipt_event(neonize_receipt, self._lid_phones)
        if normalized is None:
            await self._verdict(received, ok=True)
            return
        await self._hand_over(received, normalized)

    async def _verdict(self, received: _Received, *, ok: bool, error: str = "") -> None:
        await self._host.verdict(received.event.id, received.program, ok=ok, error=error)

    async def _hand_over(self, received: _Received, event: EngineEvent) -> None:
        """To the handler, without waiting for earlier calls; the verdict follows the handler's return."""

        async def handle() -> None:
            try:
                await self._handler(event)
            except Exception as exc:
                log.exception("connection %s: storing %s failed", self.connection_key, type(event).__name__)
                await self._verdict(received, ok=False, error=str(exc) or type(exc).__name__)
                return
            await self._verdict(received, ok=True)

        await self._in_flight.start(event, handle)

    async def _on_qr(self, qr: pb.QrEvent) -> None:
        now = datetime.now(UTC)
        first = self._qr_window_end is None
        if first:
            self._qr_window_end = now + timedelta(seconds=QR_WINDOW_SECONDS)
        await self._handler(QrCode(code=qr.code, expires_at=now + timedelta(milliseconds=qr.timeout_ms)))

    async def _on_connected(self, connected: pb.ConnectedEvent) -> None:
        self._connected = True
        self._device_jid = connected.device_jid or self._device_jid
        self._own_phone = (wire.jid(connected.device_jid).User or None) if connected.device_jid else None
        await self._state(
            StateChanged(EngineState.CONNECTED, phone=self._own_phone, session_ref=self._device_jid or None)
        )

    async def _on_keep_alive(self, keep_alive: pb.KeepAliveEvent) -> None:
        if keep_alive.restored:
            await self._state(StateChanged(EngineState.CONNECTED, phone=self._own_phone, session_ref=self._device_jid))
        else:
            await self._state(convert.reconnecting_state(f"keep-alive timeout ({keep_alive.error_count} missed)"))

    async def _state(self, event: StateChanged) -> None:
        if event.state is not EngineState.CONNECTED:
            self._connected = False
        if event.state in (EngineState.LOGGED_OUT, EngineState.REPLACED, EngineState.BANNED):
            self._running = False  # the program already ended the session
        await self._handler(event)

    async def _phone_of(self, lid: JID) -> str | None:
        """The number whatsmeow's LID store has for `lid`, if any."""
        try:
            response = await self._host.request(
                self.connection_key, phone_of_lid=pb.PhoneOfLid(lid_jid=convert.jid_to_str(lid))
            )
        except EngineError as exc:
            log.debug("connection %s: no phone number for LID %s: %s", self.connection_key, lid.User, exc)
            return None
        return wire.jid(response.phone_jid).User or None


def _chat_jid(chat: Chat) -> str:
    return convert.jid_to_str(convert.chat_jid(chat))


def _local(event: pb.Event) -> _Received:
    """An event the adapter itself raises (about the program, not from it): there is nothing to answer."""
    return _Received(event, program=0)


def _ended(cause: int, reason: str) -> pb.Event:
    return pb.Event(ended=pb.EndedEvent(cause=cause, reason=reason))


def _ended_state(ended: pb.EndedEvent) -> StateChanged:
    state = _ENDED_STATES.get(ended.cause, EngineState.FAILED)
    until = datetime.fromtimestamp(ended.banned_until, UTC) if ended.banned_until else None
    return StateChanged(state, reason=ended.reason or None, until=until)
