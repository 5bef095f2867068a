"""The `simulator` engine: a client of the simulator network (`zapdesk.simulator`), as neonize is of WhatsApp.

It links over the network's WebSocket, turns its frames into our normalized events, acknowledges each event only
after the handler returned (the network sends unacknowledged ones again on the next link), reconnects by itself
after a drop, and sends over HTTP with its session token. Inbound events are handed over before the earlier
ones returned (`InFlight`), so a backlog reaches the handler together.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import aiohttp
from pydantic import BaseModel, ValidationError

from zapdesk.config import Settings
from zapdesk.engine.base import Engine, EngineError, EventHandler, NotConnected
from zapdesk.engine.events import (
    Chat,
    ContactCardContent,
    Content,
    EngineEvent,
    EngineState,
    LocationContent,
    MediaContent,
    MediaKind,
    MessageEdited,
    MessageReceived,
    MessageRevoked,
    OutgoingMessage,
    PairingCode,
    QrCode,
    ReactionContent,
    Receipt,
    ReceiptKind,
    Sender,
    SendResult,
    SessionTarget,
    StateChanged,
    TextContent,
    UnsupportedContent,
)
from zapdesk.engine.inflight import InFlight
from zapdesk.kit.clock import SYSTEM_CLOCK, Clock
from zapdesk.kit.phones import phone_or_none
from zapdesk.kit.retry import Backoff
from zapdesk.simulator.protocol import (
    GROUP_SERVER,
    LID_SERVER,
    SERVER_FRAME,
    AckFrame,
    Body,
    ConnectedFrame,
    ContactBody,
    EditEvent,
    EditRequest,
    EventFrame,
    HelloFrame,
    LocationBody,
    LoggedOutFrame,
    MediaBody,
    MediaRef,
    MessageEvent,
    PairingCodeFrame,
    PresenceRequest,
    QrExpiredFrame,
    QrFrame,
    ReactionBody,
    ReadRequest,
    ReceiptEvent,
    ReplacedFrame,
    RevokeEvent,
    SendAccepted,
    SendRequest,
    TextBody,
    UnsupportedBody,
    UploadResult,
    from_ms,
    group_jid,
    new_business_message_id,
    split_jid,
    user_jid,
)

log = logging.getLogger(__name__)

ServerFrame = QrFrame | PairingCodeFrame | QrExpiredFrame | ConnectedFrame | LoggedOutFrame | ReplacedFrame | EventFrame
InboundEvent = MessageEvent | ReceiptEvent | EditEvent | RevokeEvent


@dataclass(frozen=True, slots=True)
class SimulatorEngineOptions:
    # Reconnects back off from about the initial wait up to the max (kit.retry); they start over once connected.
    reconnect_initial_seconds: float = 0.5
    reconnect_max_seconds: float = 30.0
    request_timeout_seconds: float = 15.0
    heartbeat_seconds: float = 20.0

    @property
    def reconnect_backoff(self) -> Backoff:
        return Backoff(first=self.reconnect_initial_seconds, cap=self.reconnect_max_seconds)


class SimulatorEngine:
    """One session on the simulator network; implements `zapdesk.engine.base.Engine`.

    `stop()` and `logout()` emit no event: whoever called them knows the state they asked for.
    """

    def __init__(
        self,
        base_url: str,
        handler: EventHandler,
        *,
        connection_key: str = "",
        options: SimulatorEngineOptions | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        self.connection_key = connection_key
        self._handler = handler
        self._options = options or SimulatorEngineOptions()
        self._state = EngineState.STOPPED
        self._session_ref: str | None = None
        self._phone: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._http: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._stopping = False
        self._in_flight = InFlight()
        self._failed_links = 0  # links lost in a row since the last CONNECTED: the reconnect backoff's attempt

    @property
    def state(self) -> EngineState:
        return self._state

    @property
    def session_ref(self) -> str | None:
        return self._session_ref

    # ---- life ----------------------------------------------------------------------------------------------

    async def start(self, target: SessionTarget) -> None:
        await self._halt()
        self._stopping = False
        self._session_ref = target.session_ref
        self._task = asyncio.get_running_loop().create_task(
            self._run(target), name=f"simulator-engine:{self.connection_key}"
        )

    async def stop(self) -> None:
        await self._halt()
        await self._close_http()
        self._state = EngineState.STOPPED

    async def logout(self) -> None:
        token = self._session_ref
        await self._halt()
        self._session_ref = None
        self._state = EngineState.STOPPED
        if token is not None:
            try:
                await self._post("/api/link/logout", token=token)
            except EngineError as exc:
                # The phone still lists the device; forgetting the token here is what matters for the next start.
                log.warning("simulator %s: logout not confirmed by the network: %s", self.connection_key, exc)
        await self._close_http()

    async def _halt(self) -> None:
        task, self._task = self._task, None
        if task is None or task.done():
            return
        if task is asyncio.current_task():
            # Called by the handler from inside the run loop: the loop ends when the handler returns.
            self._stopping = True
            if self._ws is not None:
                await self._ws.close()
            return
        task.cancel()
        # Events still being handled stay unacknowledged: the network sends them again to whoever links next.
        self._in_flight.cancel()
        await asyncio.wait({task})

    def _http_session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            timeout = aiohttp.ClientTimeout(total=None, connect=self._options.request_timeout_seconds)
            self._http = aiohttp.ClientSession(timeout=timeout)
        return self._http

    async def _close_http(self) -> None:
        http, self._http = self._http, None
        if http is not None:
            await http.close()

    # ---- the link ------------------------------------------------------------------------------------------

    async def _run(self, target: SessionTarget) -> None:
        pairing_phone: str | None = None
        if target.pairing_phone and not target.session_ref:
            pairing_phone = phone_or_none(target.pairing_phone)
            if pairing_phone is None:
                await self._set_state(EngineState.FAILED, f"{target.pairing_phone!r} is not a phone number.")
                return
        self._failed_links = 0
        await self._set_state(EngineState.STARTING)
        while True:
            try:
                if await self._link_once(pairing_phone):
                    return
                reason = "The connection to the network was lost."
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                reason = f"The simulator at {self.base_url} is unreachable: {exc or type(exc).__name__}."
            except ValidationError:
                log.exception("simulator %s: the network sent a frame we cannot read", self.connection_key)
                reason = "The network sent a frame we cannot read."
            finally:
                self._ws = None
                await self._in_flight.settle()
            if self._stopping:
                return
            if self._state is not EngineState.RECONNECTING:
                await self._set_state(EngineState.RECONNECTING, reason)
            self._failed_links += 1
            await self.clock.sleep(self._options.reconnect_backoff.delay(self._failed_links))

    @property
    def is_linking(self) -> bool:
        """True while the link loop runs (linked, or reconnecting); False once it ended for good or was stopped."""
        return self._task is not None and not self._task.done()

    async def _link_once(self, pairing_phone: str | None) -> bool:
        """One WebSocket session; True when it ended in a state that must not reconnect by itself."""
        url = _websocket_url(self.base_url) + "/api/link"
        async with self._http_session().ws_connect(url, heartbeat=self._options.heartbeat_seconds) as ws:
            self._ws = ws
            hello = HelloFrame(session=self._session_ref, pairing_phone=None if self._session_ref else pairing_phone)
            await ws.send_str(hello.model_dump_json())
            async for message in ws:
                if message.type is not aiohttp.WSMsgType.TEXT:
                    continue
                if await self._on_frame(ws, SERVER_FRAME.validate_json(message.data)) or self._stopping:
                    return True
        return self._stopping

    async def _on_frame(self, ws: aiohttp.ClientWebSocketResponse, frame: ServerFrame) -> bool:
        if not isinstance(frame, EventFrame):
            await self._in_flight.settle()  # a state change comes after the events before it
        match frame:
            case EventFrame():
                event = to_engine_event(frame.event)
                await self._in_flight.start(event, lambda: self._emit_and_acknowledge(ws, event, frame.seq))
            case QrFrame():
                if self._state is not EngineState.QR:
                    await self._set_state(EngineState.QR)
                await self._emit(QrCode(code=frame.code, expires_at=from_ms(frame.expires_at)))
            case PairingCodeFrame():
                await self._emit(PairingCode(code=frame.code, expires_at=from_ms(frame.expires_at)))
            case ConnectedFrame():
                self._session_ref, self._phone = frame.session, frame.phone
                self._failed_links = 0
                await self._set_state(EngineState.CONNECTED, phone=frame.phone, session_ref=frame.session)
            case QrExpiredFrame():
                await self._set_state(EngineState.QR_EXPIRED, "The QR code was not scanned in time.")
                return True
            case LoggedOutFrame():
                self._session_ref = None
                await self._set_state(EngineState.LOGGED_OUT, frame.reason)
                return True
            case ReplacedFrame():
                await self._set_state(EngineState.REPLACED, frame.reason)
                return True
        return False

    async def _set_state(
        self, state: EngineState, reason: str | None = None, *, phone: str | None = None, session_ref: str | None = None
    ) -> None:
        self._state = state
        await self._emit(StateChanged(state=state, reason=reason, phone=phone, session_ref=session_ref))

    async def _emit_and_acknowledge(self, ws: aiohttp.ClientWebSocketResponse, event: EngineEvent, seq: int) -> None:
        try:
            if await self._emit(event) and not ws.closed:
                await ws.send_str(AckFrame(seq=seq).model_dump_json())
        except (aiohttp.ClientError, ConnectionError):
            pass  # the link dropped: the network sends the event again on the next one

    async def _emit(self, event: EngineEvent) -> bool:
        """Hand one event to the handler; False when it failed (the event is then not acknowledged)."""
        try:
            await self._handler(event)
        except Exception:
            log.exception("simulator %s: the event handler failed on %s", self.connection_key, type(event).__name__)
            return False
        return True

    async def download(self, ref: str) -> bytes:
        """A received file: `ref` is its URL on the network (`MediaBody.url`)."""
        self._connected_token()
        timeout = aiohttp.ClientTimeout(total=self._options.request_timeout_seconds)
        try:
            async with self._http_session().get(self.base_url + ref, timeout=timeout) as response:
                if response.status != 200:
                    # Gone (404) stays gone; anything else may work later.
                    raise EngineError(f"download failed with HTTP {response.status}", retryable=response.status != 404)
                return await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise EngineError(f"download failed: {exc or type(exc).__name__}") from exc

    # ---- commands ------------------------------------------------------------------------------------------

    def new_message_id(self) -> str:
        return new_business_message_id()

    async def send(self, chat: Chat, message: OutgoingMessage) -> SendResult:
        token = self._connected_token()
        media: MediaRef | None = None
        if message.media is not None:
            form = aiohttp.FormData()
            form.add_field(
                "file",
                message.media.data,
                filename=message.media.file_name or "file",
                content_type=message.media.mime,
            )
            form.add_field("mime", message.media.mime)
            uploaded = UploadResult.model_validate_json(await self._post("/api/link/media", token=token, form=form))
            media = MediaRef(
                key=uploaded.key,
                kind=message.media.kind.value,
                mime=message.media.mime,
                file_name=message.media.file_name,
                seconds=message.media.seconds,
            )
        request = SendRequest(
            id=message.message_id,
            chat=chat_jid(chat),
            text=message.text,
            media=media,
            quoted_id=message.quoted.external_id if message.quoted else None,
            forwarded=message.forwarded,
        )
        return await self._send(token, request)

    async def react(
        self, chat: Chat, target_id: str, emoji: str, *, target_from_me: bool, target_sender: str | None = None
    ) -> SendResult:
        token = self._connected_token()
        reaction = ReactionBody(target_id=target_id, emoji=emoji)
        return await self._send(token, SendRequest(id=self.new_message_id(), chat=chat_jid(chat), reaction=reaction))

    async def edit(self, chat: Chat, target_id: str, text: str) -> SendResult:
        request = SendRequest(
            id=self.new_message_id(), chat=chat_jid(chat), edit=EditRequest(target_id=target_id, text=text)
        )
        return await self._send(self._connected_token(), request)

    async def revoke(self, chat: Chat, target_id: str) -> SendResult:
        request = SendRequest(id=self.new_message_id(), chat=chat_jid(chat), revoke=target_id)
        return await self._send(self._connected_token(), request)

    async def profile_picture(self, chat: Chat) -> bytes | None:
        token = self._connected_token()
        timeout = aiohttp.ClientTimeout(total=self._options.request_timeout_seconds)
        headers = {"Authorization": f"Bearer {token}"}
        url = f"{self.base_url}/api/link/picture"
        try:
            async with self._http_session().get(
                url, params={"chat": chat_jid(chat)}, headers=headers, timeout=timeout
            ) as response:
                if response.status == 404:
                    return None
                if response.status >= 400:
                    raise EngineError(f"profile picture: HTTP {response.status}")
                return await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise EngineError(f"The simulator at {self.base_url} is unreachable: {exc or type(exc).__name__}") from exc

    async def mark_read(self, chat: Chat, external_ids: list[str], *, sender: str | None = None) -> None:
        if external_ids:
            request = ReadRequest(chat=chat_jid(chat), ids=external_ids)
            await self._post("/api/link/read", token=self._connected_token(), body=request)

    async def set_typing(self, chat: Chat, typing: bool) -> None:
        request = PresenceRequest(chat=chat_jid(chat), typing=typing)
        await self._post("/api/link/presence", token=self._connected_token(), body=request)

    async def _send(self, token: str, request: SendRequest) -> SendResult:
        accepted = SendAccepted.model_validate_json(await self._post("/api/link/messages", token=token, body=request))
        return SendResult(external_id=accepted.id, timestamp=from_ms(accepted.timestamp))

    def _connected_token(self) -> str:
        if self._state is not EngineState.CONNECTED or self._session_ref is None:
            raise NotConnected()
        return self._session_ref

    async def _post(
        self, path: str, *, token: str, body: BaseModel | None = None, form: aiohttp.FormData | None = None
    ) -> bytes:
        headers = {"Authorization": f"Bearer {token}"}
        payload: str | aiohttp.FormData | None = form
        if body is not None:
            payload = body.model_dump_json()
            headers["Content-Type"] = "application/json"
        timeout = aiohttp.ClientTimeout(total=self._options.request_timeout_seconds)
        try:
            async with self._http_session().post(
                self.base_url + path, data=payload, headers=headers, timeout=timeout
            ) as response:
                content = await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise EngineError(f"The simulator at {self.base_url} is unreachable: {exc or type(exc).__name__}") from exc
        if status < 400:
            return content
        detail = _error_detail(content) or f"HTTP {status}"
        if status in (401, 409):
            raise NotConnected(detail)
        raise EngineError(detail, retryable=status >= 500 or status == 429)


# ---- conversions (pure, tested without a network) -------------------------------------------------------------


def to_engine_event(event: InboundEvent) -> EngineEvent:
    match event:
        case MessageEvent():
            return MessageReceived(
                external_id=event.id,
                chat=chat_from_jid(event.chat, alt=event.sender_alt, name=event.group_name),
                sender=sender_from_jid(event.sender, alt=event.sender_alt, push_name=event.push_name),
                from_me=event.from_me,
                timestamp=from_ms(event.ts),
                content=content_of(event.body),
                quoted_id=event.quoted_id,
            )
        case ReceiptEvent():
            return Receipt(
                chat=chat_from_jid(event.chat),
                external_ids=tuple(event.ids),
                kind=ReceiptKind(event.receipt),
                timestamp=from_ms(event.ts),
            )
        case EditEvent():
            return MessageEdited(
                chat=chat_from_jid(event.chat), external_id=event.id, text=event.text, timestamp=from_ms(event.ts)
            )
        case RevokeEvent():
            return MessageRevoked(chat=chat_from_jid(event.chat), external_id=event.id, timestamp=from_ms(event.ts))


def content_of(body: Body) -> Content:
    """Our content for a message body; a file comes with its URL as `ref`, to download after storing."""
    match body:
        case TextBody():
            return TextContent(text=body.text)
        case MediaBody():
            return MediaContent(
                kind=MediaKind(body.kind),
                mime=body.mime,
                data=None,
                file_name=body.file_name,
                caption=body.caption,
                size=body.size,
                seconds=body.seconds,
                ref=body.url,
            )
        case LocationBody():
            return LocationContent(
                latitude=body.latitude, longitude=body.longitude, name=body.name, address=body.address
            )
        case ContactBody():
            return ContactCardContent(display_name=body.display_name, vcard=body.vcard)
        case ReactionBody():
            return ReactionContent(target_id=body.target_id, emoji=body.emoji)
        case UnsupportedBody():
            return UnsupportedContent(kind=body.kind)


def _phone_of(jid: str | None) -> str | None:
    if jid is None:
        return None
    user, server = split_jid(jid)
    return user if server not in (GROUP_SERVER, LID_SERVER) else None


def chat_from_jid(jid: str, *, alt: str | None = None, name: str | None = None) -> Chat:
    """A chat address: the phone digits, a group's `...@g.us`, or `...@lid` when the phone is unknown."""
    user, server = split_jid(jid)
    if server == GROUP_SERVER:
        return Chat(address=group_jid(user), is_group=True, name=name)
    if server == LID_SERVER:
        return Chat(address=_phone_of(alt) or jid)
    return Chat(address=user)


def sender_from_jid(jid: str, *, alt: str | None = None, push_name: str | None = None) -> Sender:
    """The author: a LID sender keeps its LID digits in `lid` and gets its phone from the alternate address."""
    user, server = split_jid(jid)
    if server == LID_SERVER:
        return Sender(phone=_phone_of(alt), lid=user, push_name=push_name)
    return Sender(phone=_phone_of(jid), push_name=push_name)


def chat_jid(chat: Chat) -> str:
    if chat.is_group or chat.address.endswith(f"@{GROUP_SERVER}"):
        return group_jid(chat.address)
    if "@" in chat.address:
        return chat.address
    return user_jid(chat.address)


def _websocket_url(base_url: str) -> str:
    if base_url.startswith("https://"):
        return "wss://" + base_url[len("https://") :]
    if base_url.startswith("http://"):
        return "ws://" + base_url[len("http://") :]
    return base_url


class _ErrorBody(BaseModel):
    detail: str


def _error_detail(content: bytes) -> str | None:
    try:
        return _ErrorBody.model_validate_json(content).detail
    except ValidationError:
        return None


# ---- the factory the worker calls -------------------------------------------------------------------------------


def simulator_base_url(settings: Settings) -> str:
    """`SIMULATOR_URL` when set, else the simulator mounted in this very server."""
    return settings.simulator_url.rstrip("/") or f"http://127.0.0.1:{settings.port}/simulator"


def create_simulator_engine(
    settings: Settings,
    connection_key: str,
    handler: EventHandler,
    *,
    base_url: str | None = None,
    options: SimulatorEngineOptions | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> Engine:
    return SimulatorEngine(
        base_url or simulator_base_url(settings), handler, connection_key=connection_key, options=options, clock=clock
    )
