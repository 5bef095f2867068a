"""What every neonize session in one process shares: threads, the guard around Go's global maps, live clients.

neonize's Go side keeps its clients in global maps without locks, runs each session on a thread of asyncio's
default executor for the session's whole life, and stops a session when its Python client is garbage-collected.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Protocol, TypeVar

from google.protobuf.message import Message as ProtoMessage
from neonize.aioze.client import NewAClient
from neonize.proto.Neonize_pb2 import JID, Device, ProfilePictureInfo, SendResponse, UploadResponse
from neonize.proto.waCompanionReg.WAWebProtobufsCompanionReg_pb2 import DeviceProps
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message
from neonize.utils.enum import ChatPresence, ChatPresenceMedia, ClientType, MediaType, ReceiptType

from zapdesk.engine.neonize.session_store import SessionStore, stored_devices

log = logging.getLogger(__name__)
T = TypeVar("T")

DEVICE_NAME = "zapdesk"
# Threads of the default executor besides the sessions' own and the leaked ones: Go calls (downloads, sends,
# lookups), file writes, the session store. Past them, calls wait their turn instead of hanging.
CALL_THREADS = 64
DEFAULT_EXECUTOR_THREADS = 256

RawHandler = Callable[["NeonizeClient", ProtoMessage], Coroutine[None, None, None]]
QrHandler = Callable[["NeonizeClient", bytes], Coroutine[None, None, None]]


class NeonizeEvents(Protocol):
    """`client.event`: register one coroutine per event type, and the QR callback."""

    def __call__(self, event: type[ProtoMessage]) -> Callable[[RawHandler], None]: ...

    def qr(self, f: QrHandler) -> None: ...


LoginStatusHandler = Callable[[str], None]


class NeonizeClient(Protocol):
    """The part of `neonize.aioze.client.NewAClient` the adapter uses (tests substitute a fake with this shape)."""

    uuid: bytes
    me: Device | None
    event: NeonizeEvents
    # How a QR window ended, as whatsmeow's QR channel says ("success", "timeout", "err-client-outdated", …).
    # Called on a Go thread.
    on_login_status: LoginStatusHandler | None

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

    async def stored_devices(self, store: SessionStore) -> list[str]: ...


def device_props() -> DeviceProps:
    """How phones list us under "Linked devices". Process-wide on the Go side, so always the same value."""
    return DeviceProps(os=DEVICE_NAME, platformType=DeviceProps.CHROME, requireFullSync=False)


# The pairing-code request must name the same browser as `device_props` (neonize's two enums number them apart).
PAIRING_CLIENT_TYPE = ClientType.CHROME


class LoginStatusClient(NewAClient):  # type: ignore[misc]  # neonize is untyped
    """neonize's client, with the login-status callback it hands goneonize put to use: neonize's own discards
    how a QR window ended, the only word Python gets of it (the window's events wait in Go until it is over)."""

    on_login_status: LoginStatusHandler | None = None

    def _NewAClient__onLoginStatus(self, uuid: int, status: int) -> None:  # noqa: N802 - neonize's mangled name
        handler = self.on_login_status
        if handler is None:
            return
        try:
            handler(ctypes.string_at(status).decode(errors="replace"))
        except Exception:
            # On a Go thread: an exception here would be lost in ctypes.
            log.exception("the login status of %s could not be handled", self.uuid)


class NeonizeRuntime:
    """The real backend: neonize's client on a store string, and the store's device list."""

    def new_client(self, store: str, *, jid: JID | None = None, uuid: str | None = None) -> NeonizeClient:
        if jid is not None:
            client: NeonizeClient = LoginStatusClient(store, jid=jid, props=device_props())
        else:
            client = LoginStatusClient(store, props=device_props(), uuid=uuid, new_device=True)
        return client

    async def stored_devices(self, store: SessionStore) -> list[str]:
        return await stored_devices(store)


# ---- threads -------------------------------------------------------------------------------------------------

_executor_loops: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()


def executor_threads(max_sessions: int, leak_limit: int) -> int:
    """Enough threads that no call hangs: one per session, the leaked ones a worker keeps until it is recycled,
    and `CALL_THREADS` for everything else."""
    return max_sessions + leak_limit + CALL_THREADS


def install_default_executor(loop: asyncio.AbstractEventLoop, threads: int = DEFAULT_EXECUTOR_THREADS) -> None:
    """Each session blocks one default-executor thread for life; past min(32, CPUs+4) every neonize call hangs."""
    if loop in _executor_loops:
        return
    loop.set_default_executor(ThreadPoolExecutor(max_workers=threads, thread_name_prefix="neonize"))
    _executor_loops.add(loop)


# Stopped sessions whose Go call has not returned. An unpaired one never does: after a QR window ends goneonize's
# FetchMe waits forever for a device id, and after Stop mid-window its QR loop waits for a channel nobody closes.
_stopped_sessions: set[asyncio.Future[None]] = set()


def note_stopped_session(session: asyncio.Future[None]) -> None:
    """Count `session` (the connect task of a client Go's Stop ran for) as a leaked thread until it returns."""
    if session.done():
        return
    _stopped_sessions.add(session)
    session.add_done_callback(_stopped_sessions.discard)


def leaked_go_threads() -> int:
    """Executor threads held by sessions that were stopped but never returned: past a limit, the worker is
    recycled (`worker.Worker`), as only the end of the process frees them.

    Interpreter exit joins executor threads: a worker with leaks must leave with `os._exit` after its cleanup.
    """
    return len(_stopped_sessions)


# ---- Go's global maps ----------------------------------------------------------------------------------------


class GoMapGuard:
    """Readers/writer exclusion around neonize's unlocked Go maps.

    Connecting and stopping write them (exclusive); every other call reads them (shared), and holds its share
    until Go returns, even when the caller stopped waiting: a writer waits for the Go calls, not for their callers.
    """

    def __init__(self) -> None:
        self._writer = asyncio.Lock()  # FIFO: a waiting writer is not starved by a stream of readers
        self._readers = 0
        self._no_readers = asyncio.Event()
        self._no_readers.set()

    async def run_shared(self, call: Callable[[], Awaitable[T]]) -> T:
        """`call()` (one Go call) inside a share of the guard, released only when the call has returned."""
        async with self._writer:
            self._readers += 1
            self._no_readers.clear()
        try:
            running = asyncio.ensure_future(call())
        except BaseException:
            self._release_share()
            raise
        running.add_done_callback(lambda _done: self._release_share())
        return await asyncio.shield(running)

    def _release_share(self) -> None:
        self._readers -= 1
        if self._readers == 0:
            self._no_readers.set()

    @property
    def readers(self) -> int:
        """Go calls running now (besides connect and stop)."""
        return self._readers

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


def live_clients() -> int:
    """Go sessions this process holds: started and not (yet) stopped by Go's `Stop`."""
    return len(_live_clients)


def hold_client(client: NeonizeClient) -> None:
    _live_clients[client.uuid] = client


def release_client(client: NeonizeClient) -> None:
    """Forget a client Go's `Stop` ran for (never one whose Stop did not run: its session would go on unseen). Its
    finalizer is detached: it would call Go's Stop on the same key later, and a resumed session reuses that key
    (the phone number)."""
    if _live_clients.get(client.uuid) is client:
        del _live_clients[client.uuid]
    finalizer = getattr(client, "_stop_finalizer", None)
    if isinstance(finalizer, weakref.finalize):
        finalizer.detach()
