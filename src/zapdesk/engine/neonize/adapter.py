"""The `Engine` for real WhatsApp, through neonize (whatsmeow in Go). One instance drives one connection.

neonize calls our handlers from Go threads via the event loop and swallows their exceptions; each handler here only
puts the raw event on one queue, and one consumer turns it into our events, in arrival order, logging failures.
Messages and receipts go to the handler without waiting for the earlier ones to return (`InFlight`), so a
backlog reaches the worker together; anything else waits for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import uuid as uuid_module
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeAlias, TypeVar

from google.protobuf.message import Message as ProtoMessage
from neonize.proto.Neonize_pb2 import JID, Device
from neonize.proto.Neonize_pb2 import ClientOutdated as ClientOutdatedEv
from neonize.proto.Neonize_pb2 import Connected as ConnectedEv
from neonize.proto.Neonize_pb2 import ConnectFailure as ConnectFailureEv
from neonize.proto.Neonize_pb2 import Disconnected as DisconnectedEv
from neonize.proto.Neonize_pb2 import KeepAliveRestored as KeepAliveRestoredEv
from neonize.proto.Neonize_pb2 import KeepAliveTimeout as KeepAliveTimeoutEv
from neonize.proto.Neonize_pb2 import LoggedOut as LoggedOutEv
from neonize.proto.Neonize_pb2 import Message as MessageEv
from neonize.proto.Neonize_pb2 import OfflineSyncCompleted as OfflineSyncCompletedEv
from neonize.proto.Neonize_pb2 import OfflineSyncPreview as OfflineSyncPreviewEv
from neonize.proto.Neonize_pb2 import PairStatus as PairStatusEv
from neonize.proto.Neonize_pb2 import Receipt as ReceiptEv
from neonize.proto.Neonize_pb2 import StreamError as StreamErrorEv
from neonize.proto.Neonize_pb2 import StreamReplaced as StreamReplacedEv
from neonize.proto.Neonize_pb2 import TemporaryBan as TemporaryBanEv
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message
from neonize.utils.enum import ChatPresence, ChatPresenceMedia, ReceiptType

from zapdesk.engine.base import EngineError, EventHandler, NotConnected
from zapdesk.engine.events import (
    TERMINAL_STATES,
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
from zapdesk.engine.neonize.pictures import download_picture
from zapdesk.engine.neonize.runtime import (
    DEFAULT_EXECUTOR_THREADS,
    PAIRING_CLIENT_TYPE,
    NeonizeBackend,
    NeonizeClient,
    go_guard,
    hold_client,
    install_default_executor,
    is_live,
    note_stopped_session,
    release_client,
)
from zapdesk.engine.neonize.session_store import SessionStore, prepare_session_store, remove_sqlite_store
from zapdesk.kit.phones import phone_or_none

log = logging.getLogger(__name__)

T = TypeVar("T")

# Every Go event the adapter listens to; the rest are not subscribed, so Go never queues them.
SUBSCRIBED_EVENTS: tuple[type[ProtoMessage], ...] = (
    MessageEv,
    ReceiptEv,
    ConnectedEv,
    DisconnectedEv,
    KeepAliveTimeoutEv,
    KeepAliveRestoredEv,
    LoggedOutEv,
    StreamReplacedEv,
    TemporaryBanEv,
    ClientOutdatedEv,
    ConnectFailureEv,
    StreamErrorEv,
    PairStatusEv,
    OfflineSyncPreviewEv,
    OfflineSyncCompletedEv,
)


@dataclass(frozen=True, slots=True)
class QrTimings:
    """One QR window as whatsmeow runs it: ~6 codes, 60 s for the first and 20 s each after (~160 s in all).

    Its own timeout never reaches Python, so the adapter keeps this clock itself.
    """

    first: float = 60.0
    following: float = 20.0
    codes: int = 6
    grace: float = 5.0

    def lifetime(self, index: int) -> float:
        return self.first if index == 0 else self.following

    @property
    def window(self) -> float:
        return self.first + self.following * (self.codes - 1)


# ---- what the consumer queue carries besides neonize's own events ---------------------------------------------


@dataclass(frozen=True, slots=True)
class _QrReceived:
    code: str


@dataclass(frozen=True, slots=True)
class _LoginStatus:
    """How whatsmeow's QR channel ended, from goneonize's login-status callback."""

    status: str


# What each end of a QR window means; any other status ("error", …) is a failed pairing.
_QR_WINDOW_ENDS = {
    "timeout": StateChanged(EngineState.QR_EXPIRED, reason="no QR code was scanned in time"),
    "err-client-outdated": StateChanged(EngineState.OUTDATED, reason="WhatsApp refuses this client version"),
    "err-scanned-without-multidevice": StateChanged(
        EngineState.FAILED, reason="the phone that scanned the code has linked devices (multi-device) turned off"
    ),
    # whatsmeow saw a connect failure, a logout or a ban where it waited for a scan.
    "err-unexpected-state": StateChanged(
        EngineState.FAILED, reason="WhatsApp refused to link this device: the number may be banned"
    ),
}


@dataclass(frozen=True, slots=True)
class _Deadline:
    """A timer ran out: the QR window (QR_EXPIRED) or the wait for a resumed session to connect (FAILED)."""

    state: EngineState
    reason: str
    generation: int


@dataclass(frozen=True, slots=True)
class _ConnectEnded:
    error: str | None
    generation: int


@dataclass(frozen=True, slots=True)
class _Stop:
    pass


_Item: TypeAlias = ProtoMessage | EngineEvent | _QrReceived | _LoginStatus | _Deadline | _ConnectEnded | _Stop


class NeonizeEngine:
    """One WhatsApp connection through neonize. Construct with `create_neonize_engine`."""

    def __init__(
        self,
        *,
        connection_key: str,
        store: SessionStore,
        handler: EventHandler,
        backend: NeonizeBackend,
        qr_timings: QrTimings | None = None,
        connect_timeout: float = 90.0,
        settle_timeout: float = 15.0,
        stop_timeout: float = 10.0,
        executor_threads: int = DEFAULT_EXECUTOR_THREADS,
    ) -> None:
        self.connection_key = connection_key
        self._store = store
        self._handler = handler
        self._backend = backend
        self._qr = qr_timings or QrTimings()
        self._connect_timeout = connect_timeout
        self._settle_timeout = settle_timeout
        self._stop_timeout = stop_timeout
        self._executor_threads = executor_threads

        self._client: NeonizeClient | None = None
        self._connect_task: asyncio.Task[None] | None = None
        self._releasing: asyncio.Future[None] | None = None
        self._queue: asyncio.Queue[_Item] = asyncio.Queue()
        self._consumer: asyncio.Task[None] | None = None
        self._in_flight = InFlight()
        self._timer: asyncio.TimerHandle | None = None
        self._timer_event: _Deadline | None = None
        self._settled = asyncio.Event()
        self._generation = 0
        self._closing = False
        self._terminal = False
        self._connected = False
        self._connected_once = False
        self._paired = False
        self._own: Device | None = None
        self._pairing_phone: str | None = None
        self._qr_index = 0
        self._qr_window_end: datetime | None = None
        self._lid_phones: dict[str, str] = {}

    # ---- lifecycle -----------------------------------------------------------------------------------------------

    async def start(self, target: SessionTarget) -> None:
        if self._client is not None or self._consumer is not None:
            log.info("connection %s: start while running; stopping the old session first", self.connection_key)
            await self.stop()
        loop = asyncio.get_running_loop()
        install_default_executor(loop, self._executor_threads)
        self._reset()
        self._consumer = loop.create_task(self._consume(), name=f"neonize-events-{self.connection_key}")
        try:
            await asyncio.to_thread(prepare_session_store, self._store)
        except OSError as exc:
            self._emit_soon(StateChanged(EngineState.FAILED, reason=f"the session store is not usable: {exc}"))
            return
        if target.session_ref:
            client = await self._resumable_client(target.session_ref)
        else:
            self._pairing_phone = phone_or_none(target.pairing_phone or "")
            client_uuid = f"zapdesk-{self.connection_key}-{uuid_module.uuid4().hex}"
            client = self._backend.new_client(self._store.location, uuid=client_uuid)
        if client is None:
            return
        self._subscribe(client)
        await self._connect(client, resuming=bool(target.session_ref))

    async def stop(self) -> None:
        """Close the live session (keys kept); waits for queued events to reach the handler, within a timeout."""
        self._closing = True
        await self._release_client()
        consumer, self._consumer = self._consumer, None
        if consumer is None or consumer.done():
            return
        self._queue.put_nowait(_Stop())
        if consumer is asyncio.current_task():
            return  # stopped from inside our own handler: the consumer ends after this item
        try:
            await asyncio.wait_for(asyncio.shield(consumer), self._stop_timeout)
        except TimeoutError:
            log.warning("connection %s: events still queued at stop were dropped", self.connection_key)
            consumer.cancel()
            self._in_flight.cancel()

    async def logout(self) -> None:
        """Unlink from the phone and let whatsmeow delete the keys. Without a live session only the local keys go."""
        client = self._client
        if client is None:
            if self._store.is_postgres:
                raise EngineError("not running: a PostgreSQL-stored session can only be unlinked while it runs")
            await asyncio.to_thread(remove_sqlite_store, self._store)
            return
        try:
            await self._go(lambda c: c.logout())
        except NotConnected:
            raise
        except Exception as exc:
            raise EngineError(f"WhatsApp did not accept the logout: {exc}") from exc
        # The caller asked for it and records the outcome; what Go still sends about it is not news.
        self._closing = True
        await self._release_client()

    async def is_connected(self) -> bool:
        return bool(await self._go(lambda c: c.is_connected)) if self._client is not None else False

    async def is_logged_in(self) -> bool:
        return bool(await self._go(lambda c: c.is_logged_in)) if self._client is not None else False

    async def wait_idle(self) -> None:
        """Until every event received so far has been handed to the handler, and the handler returned."""
        await self._queue.join()
        await self._in_flight.settle()

    # ---- commands ------------------------------------------------------------------------------------------------

    def new_message_id(self) -> str:
        """An id in whatsmeow's format. neonize 0.5.2 cannot send with a chosen id (its Go `SendMessage` passes no
        `SendRequestExtra.ID`), so `send` returns the id WhatsApp really used: store that one."""
        return convert.new_message_id()

    async def send(self, chat: Chat, message: OutgoingMessage) -> SendResult:
        own_phone = self._own.JID.User if self._own is not None else None
        if message.media is None:
            proto = convert.text_message(message.text, message.quoted, own_phone, forwarded=message.forwarded)
        else:
            proto = await self._media_message(message.media, message.text, message, own_phone)
        return await self._send(chat, proto)

    async def react(
        self, chat: Chat, target_id: str, emoji: str, *, target_from_me: bool, target_sender: str | None = None
    ) -> SendResult:
        proto = convert.reaction_message(
            chat, target_id, emoji, target_from_me=target_from_me, target_sender=target_sender, now=datetime.now(UTC)
        )
        return await self._send(chat, proto)

    async def edit(self, chat: Chat, target_id: str, text: str) -> SendResult:
        return await self._send(chat, convert.edit_message(chat, target_id, text, now=datetime.now(UTC)))

    async def revoke(self, chat: Chat, target_id: str) -> SendResult:
        return await self._send(chat, convert.revoke_message(chat, target_id))

    async def profile_picture(self, chat: Chat) -> bytes | None:
        jid = convert.chat_jid(chat)
        try:
            info = await self._command("profile picture", lambda c: c.get_profile_picture(jid))
        except EngineError as exc:
            # No picture, or hidden from us by the person's privacy settings: both mean "none".
            log.info("no profile picture for %s: %s", chat.address, exc)
            return None
        return await download_picture(info.URL) if info.URL else None

    async def mark_read(self, chat: Chat, external_ids: list[str], *, sender: str | None = None) -> None:
        if not external_ids:
            return
        jid = convert.chat_jid(chat)
        # whatsmeow needs the author in groups (the receipt's `participant`); in a private chat it is the chat.
        author = convert.person_jid(sender) if chat.is_group and sender else convert.EMPTY_JID
        await self._command(
            "mark read", lambda c: c.mark_read(*external_ids, chat=jid, sender=author, receipt=ReceiptType.READ)
        )

    async def set_typing(self, chat: Chat, typing: bool) -> None:
        state = ChatPresence.CHAT_PRESENCE_COMPOSING if typing else ChatPresence.CHAT_PRESENCE_PAUSED
        jid = convert.chat_jid(chat)
        await self._command(
            "typing", lambda c: c.send_chat_presence(jid, state, ChatPresenceMedia.CHAT_PRESENCE_MEDIA_TEXT)
        )

    async def _send(self, chat: Chat, proto: Message) -> SendResult:
        if not self._connected:
            raise NotConnected()
        jid = convert.chat_jid(chat)
        response = await self._command("send", lambda c: c.send_message(jid, proto))
        return convert.send_result(response)

    async def _media_message(
        self, media: OutgoingMedia, caption: str, message: OutgoingMessage, own_phone: str | None
    ) -> Message:
        if not self._connected:
            raise NotConnected()
        media_type = convert.upload_media_type(media.kind)
        upload = await self._command("upload", lambda c: c.upload(media.data, media_type))
        thumbnail: tuple[bytes, int, int] | None = None
        if media.kind is MediaKind.IMAGE:
            thumbnail = await asyncio.to_thread(_jpeg_thumbnail, media.data)
        jpeg, width, height = thumbnail or (None, None, None)
        return convert.media_message(
            media,
            caption,
            upload,
            message.quoted,
            own_phone,
            forwarded=message.forwarded,
            thumbnail=jpeg,
            width=width,
            height=height,
        )

    async def _command(self, what: str, operation: Callable[[NeonizeClient], Awaitable[T]]) -> T:
        try:
            return await self._go(operation)
        except (NotConnected, EngineError):
            raise
        except Exception as exc:
            raise EngineError(f"{what} failed: {exc or type(exc).__name__}") from exc

    async def _go(self, operation: Callable[[NeonizeClient], Awaitable[T]]) -> T:
        """Call into Go for the live client only: after Go's Stop the client is gone from its map and any call on
        it is a nil-pointer panic that kills the process."""
        client = self._client
        if client is None:
            raise NotConnected()

        async def call() -> T:
            if self._client is not client:
                raise NotConnected()
            return await operation(client)

        return await go_guard().run_shared(call)

    # ---- starting ------------------------------------------------------------------------------------------------

    def _reset(self) -> None:
        self._generation += 1
        self._queue = asyncio.Queue()
        self._settled = asyncio.Event()
        self._closing = self._terminal = self._connected = self._connected_once = self._paired = False
        self._own = None
        self._pairing_phone = None
        self._qr_index = 0
        self._qr_window_end = None

    async def _resumable_client(self, session_ref: str) -> NeonizeClient | None:
        """A client for a stored device, only once the store confirms it holds that JID: resuming a missing one is a
        Go nil-pointer panic (whatsmeow deletes the device when the phone unlinks it)."""
        try:
            jid = convert.parse_jid(session_ref)
        except ValueError:
            self._emit_soon(StateChanged(EngineState.LOGGED_OUT, reason=f"unusable session reference {session_ref!r}"))
            return None
        try:
            stored = await self._backend.stored_devices(self._store)
        except Exception as exc:
            log.exception("connection %s: could not read the session store", self.connection_key)
            self._emit_soon(StateChanged(EngineState.FAILED, reason=f"the session store could not be read: {exc}"))
            return None
        if session_ref not in stored:
            self._emit_soon(
                StateChanged(EngineState.LOGGED_OUT, reason="the stored session is gone; a new QR scan is needed")
            )
            return None
        return self._backend.new_client(self._store.location, jid=jid)

    def _subscribe(self, client: NeonizeClient) -> None:
        """Handlers go in before `connect()`: Go only forwards the event types subscribed at that moment.

        They feed this session's queue only: a stopped client's late callbacks cannot reach a later session.
        """
        queue, settled = self._queue, self._settled

        async def on_event(_client: NeonizeClient, event: ProtoMessage) -> None:
            # Runs as a task neonize never awaits: anything raised here would vanish. Queue first, nothing else.
            try:
                if isinstance(event, ConnectedEv):
                    settled.set()
                queue.put_nowait(event)
            except Exception:
                log.exception("connection %s: could not queue a %s", self.connection_key, type(event).__name__)

        async def on_qr(_client: NeonizeClient, code: bytes) -> None:
            try:
                settled.set()
                queue.put_nowait(_QrReceived(code.decode()))
            except Exception:
                log.exception("connection %s: could not queue a QR code", self.connection_key)

        loop = asyncio.get_running_loop()

        def on_login_status(status: str) -> None:
            # Called on a Go thread: only hand the status over to the loop.
            loop.call_soon_threadsafe(queue.put_nowait, _LoginStatus(status))

        for event_type in SUBSCRIBED_EVENTS:
            client.event(event_type)(on_event)
        client.event.qr(on_qr)
        client.on_login_status = on_login_status

    async def _connect(self, client: NeonizeClient, *, resuming: bool) -> None:
        generation = self._generation
        if resuming:
            reason = f"WhatsApp did not answer within {self._connect_timeout:.0f} s"
            self._arm_timer(self._connect_timeout, EngineState.FAILED, reason)
        else:
            # Each QR code pushes this deadline to its own expiry (+ grace); no code at all ends the window too.
            self._arm_timer(self._qr.first + self._qr.grace, EngineState.QR_EXPIRED, "no QR code was scanned in time")
        async with go_guard().exclusive():
            if is_live(client.uuid):
                self._emit_soon(
                    StateChanged(EngineState.FAILED, reason="this WhatsApp session already runs in this process")
                )
                return
            self._client = client
            hold_client(client)
            try:
                task = await client.connect()
            except Exception as exc:
                log.exception("connection %s: neonize could not start connecting", self.connection_key)
                self._client = None
                release_client(client)
                self._emit_soon(StateChanged(EngineState.FAILED, reason=f"could not start connecting: {exc}"))
                return
            self._connect_task = task
            task.add_done_callback(lambda done: self._on_connect_task_done(done, generation))
            # Go writes its global maps when its session starts: keep others out until it shows signs of life.
            await self._wait_settled(client)

    async def _wait_settled(self, client: NeonizeClient) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._settle_timeout
        while not self._settled.is_set() and client.me is None and loop.time() < deadline:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._settled.wait(), 0.05)

    # ---- timers ---------------------------------------------------------------------------------------------------

    def _arm_timer(self, seconds: float, state: EngineState, reason: str) -> None:
        self._timer_event = _Deadline(state, reason, self._generation)
        self._move_deadline(seconds)

    def _move_deadline(self, seconds: float) -> None:
        """(Re)schedule the armed timer `seconds` from now: each QR code pushes the window to its own expiry."""
        if self._timer is not None:
            self._timer.cancel()
        event = self._timer_event
        if event is not None:
            self._timer = asyncio.get_running_loop().call_later(seconds, self._queue.put_nowait, event)

    def _cancel_timer(self) -> None:
        timer, self._timer, self._timer_event = self._timer, None, None
        if timer is not None:
            timer.cancel()

    # ---- from Go ---------------------------------------------------------------------------------------------------

    def _on_connect_task_done(self, task: asyncio.Task[None], generation: int) -> None:
        if generation != self._generation:
            return
        self._settled.set()
        if task.cancelled():
            error: str | None = "the connect task was cancelled"
        else:
            exc = task.exception()
            error = (str(exc) or type(exc).__name__) if exc is not None else None
        self._queue.put_nowait(_ConnectEnded(error, generation))

    def _emit_soon(self, event: EngineEvent) -> None:
        """Through the queue, so it reaches the handler in order with what Go sent before it."""
        self._queue.put_nowait(event)

    # ---- the consumer ---------------------------------------------------------------------------------------------

    async def _consume(self) -> None:
        queue = self._queue
        while True:
            item = await queue.get()
            try:
                if not isinstance(item, MessageEv | ReceiptEv):
                    await self._in_flight.settle()  # a state change comes after the events before it
                if isinstance(item, _Stop):
                    return
                await self._process(item)
            except Exception:
                # The handler (ingest) or a conversion failed: say so loudly, then go on with the next event.
                log.exception("connection %s: handling %s failed", self.connection_key, type(item).__name__)
            finally:
                queue.task_done()

    async def _process(self, item: _Item) -> None:
        if isinstance(item, MessageEv):
            await self._on_message(item)
        elif isinstance(item, ReceiptEv):
            await convert.learn_lid_phones(item.MessageSource, self._lid_phones, self._phone_of)
            receipt = convert.receipt_event(item, self._lid_phones)
            if receipt is not None:
                await self._hand_over(receipt)
        elif isinstance(item, _QrReceived):
            await self._on_qr(item.code)
        elif isinstance(item, _LoginStatus):
            await self._on_login_status(item.status)
        elif isinstance(item, ConnectedEv | KeepAliveRestoredEv):
            await self._on_connected()
        elif isinstance(item, StateChanged):
            await self._state(item)
        elif isinstance(item, _Deadline):
            if item.generation == self._generation and not self._connected:
                await self._state(StateChanged(item.state, reason=item.reason))
        elif isinstance(item, _ConnectEnded):
            if item.generation == self._generation:
                await self._state(StateChanged(EngineState.FAILED, reason=self._end_reason(item.error)))
        else:
            await self._on_lifecycle(item)

    def _end_reason(self, error: str | None) -> str:
        """Why the Go session ended by itself. One that could not encode an event stopped passing events on while
        whatsmeow kept acknowledging them: it is ended now, and the worker starts it again (with its backoff)."""
        kind = convert.unencodable_event(error or "")
        if kind is None:
            return error or "the WhatsApp session ended unexpectedly"
        log.error(
            "connection %s: neonize could not pass on a %s event from WhatsApp (%s); restarting the session",
            self.connection_key,
            kind,
            error,
        )
        return f"neonize could not pass on a {kind} event from WhatsApp; the session is started again"

    async def _on_lifecycle(self, event: ProtoMessage) -> None:
        if isinstance(event, DisconnectedEv):
            if self._paired and not self._connected_once:
                return  # the reconnect whatsmeow makes right after pairing (code 515): not news
            # whatsmeow reconnects by itself (0 s, 2 s, 4 s…): calling connect here would make two sockets fight.
            await self._state(convert.reconnecting_state("connection lost; reconnecting"))
        elif isinstance(event, KeepAliveTimeoutEv):
            await self._state(convert.keepalive_timeout_state(event))
        elif isinstance(event, LoggedOutEv):
            await self._state(convert.logged_out_state(event))
        elif isinstance(event, StreamReplacedEv):
            await self._state(StateChanged(EngineState.REPLACED, reason="the same session was opened elsewhere"))
        elif isinstance(event, TemporaryBanEv):
            await self._state(convert.temporary_ban_state(event, datetime.now(UTC)))
        elif isinstance(event, ClientOutdatedEv):
            await self._state(StateChanged(EngineState.OUTDATED, reason="WhatsApp refuses this client version"))
        elif isinstance(event, ConnectFailureEv):
            await self._state(convert.connect_failure_state(event))
        elif isinstance(event, PairStatusEv):
            log.info("connection %s: pairing status %s", self.connection_key, PairStatusEv.PStatus.Name(event.Status))
        elif isinstance(event, OfflineSyncPreviewEv):
            log.info("connection %s: receiving %d messages sent while offline", self.connection_key, event.Message)
        elif isinstance(event, OfflineSyncCompletedEv):
            log.info("connection %s: offline backlog done (%d)", self.connection_key, event.Count)
        else:
            log.info("connection %s: %s from WhatsApp: %s", self.connection_key, type(event).__name__, event)

    async def _state(self, event: StateChanged) -> None:
        """Publish a state change; a terminal one also ends the Go session (whatsmeow does not come back)."""
        if self._terminal or self._closing:
            return  # e.g. the Disconnected that follows a LoggedOut, or what Go says after our own stop/logout
        terminal = event.state in TERMINAL_STATES
        if terminal:
            self._terminal = True
            self._connected = False
            self._cancel_timer()
        elif event.state is EngineState.RECONNECTING:
            self._connected = False
        await self._handler(event)
        if terminal:
            await self._release_client()

    async def _on_connected(self) -> None:
        own = await self._own_device()
        self._paired = self._connected = self._connected_once = True
        self._cancel_timer()
        if own is None:
            await self._state(StateChanged(EngineState.CONNECTED))
            return
        self._own = own
        await self._state(convert.connected_state(own))

    async def _own_device(self) -> Device | None:
        client = self._client
        if client is None:
            return None
        if client.me is not None and client.me.JID.User:
            return client.me
        try:
            return await self._go(lambda c: c.get_me())
        except Exception:
            log.exception("connection %s: connected, but our own device JID is unknown", self.connection_key)
            return None

    async def _on_qr(self, code: str) -> None:
        """Each code of the window, with its own expiry; the pairing code is asked for once, on the first."""
        if self._terminal or self._paired or self._qr_index >= self._qr.codes:
            return
        index = self._qr_index
        self._qr_index += 1
        now = datetime.now(UTC)
        lifetime = self._qr.lifetime(index)
        if index == 0:
            self._qr_window_end = now + timedelta(seconds=self._qr.window)
        self._move_deadline(lifetime + self._qr.grace)
        await self._handler(QrCode(code=code, expires_at=now + timedelta(seconds=lifetime)))
        if index == 0 and self._pairing_phone:
            await self._request_pairing_code(self._pairing_phone)

    async def _on_login_status(self, status: str) -> None:
        """The end of the QR window, as whatsmeow saw it (our own QR timer is only the fallback)."""
        log.info("connection %s: the QR window ended: %s", self.connection_key, status)
        if self._paired:
            return
        if status != "success":
            await self._state(
                _QR_WINDOW_ENDS.get(status) or StateChanged(EngineState.FAILED, f"pairing ended: {status}")
            )
            return
        # Scanned: the window is over, and the first connection is still to come (whatsmeow reconnects once
        # first). A slow one is a failed connect, not an expired code.
        self._paired = True
        self._arm_timer(
            self._connect_timeout,
            EngineState.FAILED,
            f"paired, but WhatsApp did not connect within {self._connect_timeout:.0f} s",
        )

    async def _request_pairing_code(self, phone: str) -> None:
        try:
            code = await self._go(lambda c: c.PairPhone(phone, True, client_type=PAIRING_CLIENT_TYPE))
        except Exception as exc:
            log.exception("connection %s: WhatsApp refused a pairing code for %s", self.connection_key, phone)
            await self._state(StateChanged(EngineState.FAILED, reason=f"no pairing code for {phone}: {exc}"))
            return
        expires_at = self._qr_window_end or datetime.now(UTC) + timedelta(seconds=self._qr.window)
        await self._handler(PairingCode(code=code, expires_at=expires_at))

    async def _on_message(self, event: MessageEv) -> None:
        await convert.learn_lid_phones(event.Info.MessageSource, self._lid_phones, self._phone_of)
        normalized = convert.message_event(event, self._lid_phones)
        if normalized is not None:
            await self._hand_over(normalized)  # a file comes later: the worker downloads it once this is stored

    async def _hand_over(self, event: EngineEvent) -> None:
        async def handle() -> None:
            try:
                await self._handler(event)
            except Exception:
                # The handler (ingest) failed: say so loudly; the events after it go on.
                log.exception("connection %s: handling %s failed", self.connection_key, type(event).__name__)

        await self._in_flight.start(event, handle)

    async def _phone_of(self, lid: JID) -> str | None:
        """The number whatsmeow's LID store has for `lid`, if any."""
        try:
            phone = await self._go(lambda c: c.get_pn_from_lid(lid))
        except Exception as exc:
            log.debug("connection %s: no phone number for LID %s: %s", self.connection_key, lid.User, exc)
            return None
        return phone.User or None

    async def download(self, ref: str) -> bytes:
        try:
            message = convert.media_to_download(ref)
        except ValueError as exc:
            raise EngineError(str(exc), retryable=False) from exc
        if not self._connected:
            raise NotConnected()
        try:
            data = await self._go(lambda c: c.download_any(message))
        except NotConnected:
            raise
        except Exception as exc:
            raise convert.download_error(exc) from exc
        return bytes(data)

    # ---- stopping --------------------------------------------------------------------------------------------------

    async def _release_client(self) -> None:
        """End the Go session once: no call may reach Go for this client afterwards (nil-pointer panic).

        A second caller (stop() while a terminal state is tearing down) waits for the same stop.
        """
        client, self._client = self._client, None
        self._cancel_timer()
        if client is not None:
            self._releasing = asyncio.ensure_future(self._stop_go(client, self._connect_task))
        if self._releasing is not None:
            await asyncio.shield(self._releasing)

    async def _stop_go(self, client: NeonizeClient, task: asyncio.Task[None] | None) -> None:
        """Go's `Stop`, once every Go call of the process has returned (a download of another session may take
        minutes: waited for, however long). The time limit is Stop's own; the client is released only once Stop
        has run, so a session is never left running unseen with its finalizer gone."""
        async with go_guard().exclusive():
            stopping = asyncio.ensure_future(client.stop())
            stopping.add_done_callback(lambda done: self._stopped(client, done))
            finished, _ = await asyncio.wait({stopping}, timeout=self._stop_timeout)
            if not finished:
                log.error(
                    "connection %s: Go's Stop did not return within %.0f s; its session is kept until it does",
                    self.connection_key,
                    self._stop_timeout,
                )
                return
        if task is not None:
            # Go returns from its session call once stopped, except an unpaired one, which holds its thread forever.
            note_stopped_session(task)

    def _stopped(self, client: NeonizeClient, stopping: asyncio.Future[None]) -> None:
        if not stopping.cancelled() and stopping.exception() is not None:
            log.error("connection %s: Go's Stop failed", self.connection_key, exc_info=stopping.exception())
        release_client(client)


def _jpeg_thumbnail(data: bytes) -> tuple[bytes, int, int] | None:
    """A small JPEG preview and the image's size, as WhatsApp shows before downloading (best effort)."""
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            preview = image.convert("RGB")
            preview.thumbnail((200, 200))
            buffer = io.BytesIO()
            preview.save(buffer, format="JPEG", quality=60)
            return buffer.getvalue(), width, height
    except Exception as exc:
        log.debug("no thumbnail for an outgoing image: %s", exc)
        return None
