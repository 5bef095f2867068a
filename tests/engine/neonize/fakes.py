"""A fake neonize client (the object, not a database): it records what the adapter asks of it, and delivers
hand-built events the way neonize's Go callbacks do (through the handlers the adapter registered)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.message import Message as ProtoMessage
from neonize.proto.Neonize_pb2 import JID, Device, SendResponse, UploadResponse
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message
from neonize.utils.enum import ChatPresence, ChatPresenceMedia, ClientType, MediaType, ReceiptType

from zapdesk.engine.events import EngineEvent, MessageReceived, StateChanged
from zapdesk.engine.neonize.session_store import SessionStore

_ids = itertools.count(1)
# The media fields whatsmeow's DownloadAny looks at (a `ptvMessage` is not one of them).
DOWNLOADABLE = frozenset({"imageMessage", "videoMessage", "audioMessage", "documentMessage", "stickerMessage"})

Handler = Callable[[Any, ProtoMessage], Coroutine[None, None, None]]
QrHandler = Callable[[Any, bytes], Coroutine[None, None, None]]


class Recorder:
    """The engine's handler: keeps every event it is given."""

    def __init__(self) -> None:
        self.events: list[EngineEvent] = []
        self.fail_on: Callable[[EngineEvent], bool] = lambda event: False
        # Until set, messages wait in the handler, as in a worker still storing the earlier ones.
        self.messages_stored: asyncio.Event | None = None
        self.returned: list[EngineEvent] = []

    async def __call__(self, event: EngineEvent) -> None:
        self.events.append(event)
        if self.fail_on(event):
            raise RuntimeError(f"the handler broke on {type(event).__name__}")
        if self.messages_stored is not None and isinstance(event, MessageReceived):
            await self.messages_stored.wait()
        self.returned.append(event)

    def of(self, kind: type[Any]) -> list[Any]:
        return [event for event in self.events if isinstance(event, kind)]

    @property
    def states(self) -> list[StateChanged]:
        return self.of(StateChanged)


class FakeEvents:
    """`client.event`: neonize keeps one coroutine per event type, and a QR callback."""

    def __init__(self) -> None:
        self.handlers: dict[type[ProtoMessage], Handler] = {}
        self.qr_handler: QrHandler | None = None

    def __call__(self, event: type[ProtoMessage]) -> Callable[[Handler], None]:
        def register(handler: Handler) -> None:
            self.handlers[event] = handler

        return register

    def qr(self, handler: QrHandler) -> None:
        self.qr_handler = handler


@dataclass
class FakeClient:
    uuid: bytes
    jid: JID | None = None
    me: Device | None = None
    own_device: Device | None = None  # what `connect` makes known, as Go's FetchMe does
    event: FakeEvents = field(default_factory=FakeEvents)
    on_login_status: Callable[[str], None] | None = None
    connect_error: Exception | None = None
    session_error: Exception | None = None  # how Go's session call ends by itself (`end_session`)
    # As goneonize: once stopped, an unpaired session's Go call never returns (FetchMe waits for a device id
    # forever, or the QR loop for a channel nobody closes) until `released` (the test ending) lets it go.
    spins_when_unpaired: bool = False
    released: asyncio.Event = field(default_factory=asyncio.Event)
    # What a download answers: bytes or an error; or, for WhatsApp's media servers, the file at each direct path;
    # or a list of those, one per download in turn (the last one answers every later download).
    media: bytes | Exception | dict[str, bytes] | list[bytes | Exception] = b"media-bytes"
    lid_phones: dict[str, str] = field(default_factory=dict)
    sent: list[tuple[JID, Message]] = field(default_factory=list)
    uploads: list[tuple[bytes, MediaType]] = field(default_factory=list)
    downloads: list[Message] = field(default_factory=list)
    read: list[tuple[tuple[str, ...], JID, JID, ReceiptType]] = field(default_factory=list)
    presences: list[tuple[JID, ChatPresence, ChatPresenceMedia]] = field(default_factory=list)
    pair_requests: list[tuple[str, bool, ClientType]] = field(default_factory=list)
    # While set and not released, Go's DownloadAny (a large file) or Stop (a hung socket) has not returned yet.
    download_gate: asyncio.Event | None = None
    stop_gate: asyncio.Event | None = None
    send_gate: asyncio.Event | None = None
    # The id Go's SendMessage picks for the next message (neonize cannot send with ours).
    send_id: str | None = None
    sends: int = 0  # calls of send_message, answered or not yet
    connects: int = 0
    stops: int = 0
    logouts: int = 0
    _ended: asyncio.Event = field(default_factory=asyncio.Event)

    # ---- what the adapter calls ----------------------------------------------------------------------------------

    async def connect(self) -> asyncio.Task[None]:
        self.connects += 1

        async def session() -> None:  # Go's Neonize(): blocks until stopped, or fails
            if self.connect_error is not None:
                raise self.connect_error
            await self._ended.wait()
            if self.session_error is not None:
                raise self.session_error
            if self.spins_when_unpaired and self.me is None:
                await self.released.wait()

        if self.own_device is not None:
            self.me = self.own_device
        return asyncio.get_running_loop().create_task(session())

    async def stop(self) -> None:
        if self.stop_gate is not None:
            await self.stop_gate.wait()
        self.stops += 1
        self._ended.set()

    async def logout(self) -> None:
        self.logouts += 1

    async def send_message(self, to: JID, message: Message) -> SendResponse:
        self.sends += 1
        message_id = self.send_id or f"3EB0SENT{next(_ids):06d}"
        if self.send_gate is not None:
            await self.send_gate.wait()
        self.sent.append((to, message))
        return SendResponse(ID=message_id, Timestamp=1_700_000_100)

    async def upload(self, binary: bytes, media_type: MediaType | None = None) -> UploadResponse:
        assert media_type is not None, "the adapter names the media type (no libmagic guess)"
        self.uploads.append((binary, media_type))
        return UploadResponse(
            url="https://mmg.whatsapp.net/x",
            DirectPath="/v/t62/x",
            MediaKey=b"k" * 32,
            FileEncSHA256=b"e" * 32,
            FileSHA256=b"s" * 32,
            FileLength=len(binary),
        )

    async def download_any(self, message: Message) -> bytes:
        """As whatsmeow's `DownloadAny`: the media part of a plain message, or nothing to download."""
        self.downloads.append(message)
        if self.download_gate is not None:
            await self.download_gate.wait()
        parts = [part for field, part in message.ListFields() if field.name in DOWNLOADABLE]
        if not parts:
            raise RuntimeError("didn't find any attachments in message")
        answer = self.media
        if isinstance(answer, list):
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, dict):
            if parts[0].directPath not in answer:
                raise RuntimeError("download failed with status code 404")
            return answer[parts[0].directPath]
        return answer

    async def mark_read(self, *message_ids: str, chat: JID, sender: JID, receipt: ReceiptType) -> None:
        self.read.append((message_ids, chat, sender, receipt))

    async def send_chat_presence(self, jid: JID, state: ChatPresence, media: ChatPresenceMedia) -> None:
        self.presences.append((jid, state, media))

    async def PairPhone(self, phone: str, show_push_notification: bool, *, client_type: ClientType) -> str:
        self.pair_requests.append((phone, show_push_notification, client_type))
        return "ABCD-EFGH"

    async def get_me(self) -> Device:
        assert self.own_device is not None
        return self.own_device

    async def get_pn_from_lid(self, jid: JID) -> JID:
        phone = self.lid_phones.get(jid.User, "")
        return JID(User=phone, Server="s.whatsapp.net" if phone else "")

    @property
    def is_connected(self) -> Coroutine[None, None, bool]:
        async def answer() -> bool:
            return not self._ended.is_set()

        return answer()

    @property
    def is_logged_in(self) -> Coroutine[None, None, bool]:
        return self.is_connected

    # ---- what the test does, as Go would ---------------------------------------------------------------------------

    async def deliver(self, *events: ProtoMessage) -> None:
        """As neonize's `Event.execute`: each event to the coroutine registered for its type."""
        for event in events:
            await self.event.handlers[type(event)](self, event)

    def end_session(self, error: Exception) -> None:
        """Go's session call returns with `error` while nobody stopped it."""
        self.session_error = error
        self._ended.set()

    async def end_qr_window(self, status: str) -> None:
        """goneonize's login-status callback, called on a Go thread when whatsmeow's QR channel ends."""
        assert self.on_login_status is not None, "the adapter installs its login-status callback before connecting"
        await asyncio.to_thread(self.on_login_status, status)

    async def show_qr(self, code: str) -> None:
        assert self.event.qr_handler is not None, "the adapter registers its QR callback before connecting"
        await self.event.qr_handler(self, code.encode())


@dataclass
class FakeBackend:
    """Makes fake clients, and answers the store's device list from `devices`."""

    devices: list[str] = field(default_factory=list)
    clients: list[FakeClient] = field(default_factory=list)
    created_with: list[dict[str, Any]] = field(default_factory=list)
    prepare: Callable[[FakeClient], None] = lambda client: None

    def new_client(self, store: str, *, jid: JID | None = None, uuid: str | None = None) -> FakeClient:
        self.created_with.append({"store": store, "jid": jid, "uuid": uuid})
        client = FakeClient(uuid=(jid.User if jid is not None else uuid or "").encode(), jid=jid)
        self.prepare(client)
        self.clients.append(client)
        return client

    async def stored_devices(self, store: SessionStore) -> list[str]:
        return list(self.devices)

    @property
    def client(self) -> FakeClient:
        assert self.clients, "no client was created"
        return self.clients[-1]
