"""What every neonize session in one process shares: threads, the guard around Go's global maps, live clients.

neonize's Go side keeps its clients in global maps without locks, runs each session on a thread of asyncio's
default executor for the session's whole life, and stops a session when its Python client is garbage-collected.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Protocol

from google.protobuf.message import Message as ProtoMessage
from neonize.aioze.client import NewAClient
from neonize.proto.Neonize_pb2 import JID, Device, ProfilePictureInfo, SendResponse, UploadResponse
from neonize.proto.waCompanionReg.WAWebProtobufsCompanionReg_pb2 import DeviceProps
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message
from neonize.utils.enum import ChatPresence, ChatPresenceMedia, ClientType, MediaType, ReceiptType

from zapdesk.engine.neonize.convert import parse_device_list

log = logging.getLogger(__name__)

DEVICE_NAME = "zapdesk"
DEFAULT_EXECUTOR_THREADS = 256

RawHandler = Callable[["NeonizeClient", ProtoMessage], Coroutine[None, None, None]]
QrHandler = Callable[["NeonizeClient", bytes], Coroutine[None, None, None]]


class NeonizeEvents(Protocol):
    """`client.event`: register one coroutine per event type, and the QR callback."""

    def __call__(self, event: type[ProtoMessage]) -> Callable[[RawHandler], None]: ...

    def qr(self, f: QrHandler) -> None: ...


class NeonizeClient(Protocol):
    """The part of `neonize.aioze.client.NewAClient` the adapter uses (tests substitute a fake with this shape)."""

    uuid: bytes
    me: Device | None
    event: NeonizeEvents

    async def connect(self) -> asyncio.Task[None]: ...

    async def stop(self) -> None: ...

    async def logout(self) -> None: ...

    async def send_message(self, to: JID, message: Message) -> SendResponse: ...

    async def upload(self, binary: bytes, media_type: MediaType | None = None) -> UploadResponse: ...

    async def download_any(self, message: Message) -> bytes: ...

    async def mark_read(self, *message_ids: str, chat: JID, sender: JID, receipt: ReceiptType) -> None: ...

    async def send_chat_presence(self, jid: JID, state: ChatPresence, media: ChatPresenceMedia) -> None: ...

    async def get_profile_picture(self, jid: JID) -> ProfilePictureInfo: ...

    async def PairPhone(  # noqa: N802 - neonize's name
        self, phone: str, show_push_notification: bool, *, client_type: ClientType
    ) -> str: ...

    async def get_me(self) -> Device: ...

    async def get_pn_from_lid(self, jid: JID) -> JID: ...

    @property
    def is_connected(self) -> Awaitable[bool]: ...

    @property
    def is_logged_in(self) -> Awaitable[bool]: ...


class NeonizeBackend(Protocol):
    """How the adapter makes clients and reads a store's device list (real: neonize; tests: fakes)."""

    def new_client(self, store: str, *, jid: JID | None = None, uuid: str | None = None) -> NeonizeClient: ...

    async def stored_devices(self, store: str) -> list[str]: ...


def device_props() -> DeviceProps:
    """How phones list us under "Linked devices". Process-wide on the Go side, so always the same value."""
    return DeviceProps(os=DEVICE_NAME, platformType=DeviceProps.CHROME, requireFullSync=False)


# The pairing-code request must name the same browser as `device_props` (neonize's two enums number them apart).
PAIRING_CLIENT_TYPE = ClientType.CHROME


class NeonizeRuntime:
    """The real backend: `NewAClient` on a store string, and whatsmeow's device list read through neonize's Go."""

    def new_client(self, store: str, *, jid: JID | None = None, uuid: str | None = None) -> NeonizeClient:
        if jid is not None:
            client: NeonizeClient = NewAClient(store, jid=jid, props=device_props())
        else:
            client = NewAClient(store, props=device_props(), uuid=uuid, new_device=True)
        return client

    async def stored_devices(self, store: str) -> list[str]:
        return parse_device_list(await asyncio.to_thread(_read_device_list, store))


def _read_device_list(store: str) -> str:
    from neonize._binder import func_callback_bytes2, gocode
    from neonize.utils.log import log_whatsmeow

    callback = func_callback_bytes2(log_whatsmeow)  # kept alive for the duration of the call
    raw: bytes = gocode.GetAllDevices(store.encode(), callback)
    return raw.decode()


# ---- threads -------------------------------------------------------------------------------------------------

_executor_loops: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()


def install_default_executor(loop: asyncio.AbstractEventLoop, threads: int = DEFAULT_EXECUTOR_THREADS) -> None:
    """Each session blocks one default-executor thread for life; past min(32, CPUs+4) every neonize call hangs."""
    if loop in _executor_loops:
        return
    loop.set_default_executor(ThreadPoolExecutor(max_workers=threads, thread_name_prefix="neonize"))
    _executor_loops.add(loop)


_leaked_threads = 0


def note_leaked_thread() -> None:
    global _leaked_threads
    _leaked_threads += 1


def leaked_go_threads() -> int:
    """Sessions whose Go thread did not return after stopping (an unpaired QR window spins forever).

    Interpreter exit joins executor threads: a worker with leaks must leave with `os._exit` after its cleanup.
    """
    return _leaked_threads


# ---- Go's global maps ----------------------------------------------------------------------------------------


class GoMapGuard:
    """Readers/writer exclusion around neonize's unlocked Go maps.

    Connecting and stopping write them (exclusive); every other call reads them (shared). Release never awaits,
    so a cancelled caller cannot leave the guard held.
    """

    def __init__(self) -> None:
        self._writer = asyncio.Lock()  # FIFO: a waiting writer is not starved by a stream of readers
        self._readers = 0
        self._no_readers = asyncio.Event()
        self._no_readers.set()

    @asynccontextmanager
    async def shared(self) -> AsyncIterator[None]:
        async with self._writer:
            self._readers += 1
            self._no_readers.clear()
        try:
            yield
        finally:
            self._readers -= 1
            if self._readers == 0:
                self._no_readers.set()

    @asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        async with self._writer:
            await self._no_readers.wait()
            yield


_guards: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, GoMapGuard] = weakref.WeakKeyDictionary()


def go_guard() -> GoMapGuard:
    loop = asyncio.get_running_loop()
    guard = _guards.get(loop)
    if guard is None:
        guard = _guards[loop] = GoMapGuard()
    return guard


# ---- live clients --------------------------------------------------------------------------------------------

# A dropped client is garbage-collected and its finalizer stops the Go session: keep every live one here.
_live_clients: dict[bytes, NeonizeClient] = {}


def is_live(uuid: bytes) -> bool:
    return uuid in _live_clients


def hold_client(client: NeonizeClient) -> None:
    _live_clients[client.uuid] = client


def release_client(client: NeonizeClient) -> None:
    """Forget a stopped client. Its finalizer is detached: it would call Go's Stop on the same key later, and a
    resumed session reuses that key (the phone number)."""
    if _live_clients.get(client.uuid) is client:
        del _live_clients[client.uuid]
    finalizer = getattr(client, "_stop_finalizer", None)
    if isinstance(finalizer, weakref.finalize):
        finalizer.detach()
