"""The live simulated network: QR windows, linked devices, queued events, receipts and the faults tests inject.

One `SimulatorNetwork` per simulator app. Whatever must survive a restart is in `SimulatorStore`; only what dies
with a socket anyway (QR windows, open links, typing indicators) lives in memory.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import secrets
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.websockets import WebSocket, WebSocketDisconnect

from zapdesk.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from zapdesk.kit.clock import SYSTEM_CLOCK, Clock
from zapdesk.kit.phones import phone_or_none
from zapdesk.simulator.config import SimulatorConfig
from zapdesk.simulator.protocol import (
    CLIENT_FRAME,
    CLOSE_TRY_LATER,
    GROUP_SERVER,
    LID_SERVER,
    USER_SERVER,
    AckFrame,
    Body,
    ConnectedFrame,
    ContactBody,
    EditEvent,
    HelloFrame,
    LocationBody,
    LoggedOutFrame,
    MediaBody,
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
    group_jid,
    lid_jid,
    new_business_message_id,
    new_phone_message_id,
    split_jid,
    user_jid,
)
from zapdesk.simulator.schemas import (
    MEDIA_KINDS,
    BusinessPhone,
    CustomerMessageIn,
    NetworkStatus,
    PhoneMessage,
    PhoneMessages,
    PostedMessage,
    SessionAction,
    WaitingScan,
)
from zapdesk.simulator.store import SessionRow, SimulatorStore, StoredMedia, StoredMessage

log = logging.getLogger(__name__)

PAIRING_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTVWXYZ"  # the one WhatsApp uses: no 0, O, I or U
TYPING_SECONDS = 10.0
EXPIRED_CODES_KEPT_SECONDS = 600.0
# What a socket raises once its peer is gone (Starlette, uvicorn's protocols, or a close we sent ourselves).
_SOCKET_GONE = (WebSocketDisconnect, RuntimeError, OSError)


class Gone(DomainError):
    status_code = 410
    code = "expired"


def new_qr_code() -> str:
    """Shaped like WhatsApp's: a reference and three keys, base64, comma-separated."""
    parts = (secrets.token_bytes(size) for size in (24, 32, 32, 16))
    return "2@" + ",".join(base64.b64encode(part).decode() for part in parts)


def new_pairing_code() -> str:
    return "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(8))


def display_pairing_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def require_phone(raw: str, field_name: str) -> str:
    phone = phone_or_none(raw)
    if phone is None:
        raise Invalid(f"{field_name} must be a phone number in international format (8 to 15 digits).")
    return phone


class Link:
    """One WebSocket from a client: first waiting for a scan (or resuming), then bound to a business phone."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.phone: str | None = None
        self.session: str | None = None
        self.closed = asyncio.Event()
        self.wake = asyncio.Event()
        self._send_lock = asyncio.Lock()

    async def send(self, frame: BaseModel) -> None:
        await self.send_text(frame.model_dump_json())

    async def send_text(self, text: str) -> None:
        async with self._send_lock:
            await self.ws.send_text(text)

    async def end(self, frame: BaseModel | None = None, *, code: int = 1000) -> None:
        """Say `frame` last, then close; a link ends once."""
        if self.closed.is_set():
            return
        self.closed.set()
        self.wake.set()
        with contextlib.suppress(*_SOCKET_GONE):
            if frame is not None:
                await self.send(frame)
            await self.ws.close(code=code)


@dataclass
class QrWindow:
    id: str
    link: Link
    pairing_phone: str | None
    linked: asyncio.Future[tuple[str, str]]
    codes: list[str] = field(default_factory=list)
    deadline: float = 0.0  # monotonic end of the current code
    expires_at: int = 0  # the same, epoch ms (what clients see)
    ends_at: int = 0  # the whole window, epoch ms
    codes_left: int = 0
    pairing_code: str | None = None
    ended: bool = False

    @property
    def code(self) -> str:
        return self.codes[-1] if self.codes else ""

    def rotate(self, clock: Clock, seconds: float, codes_left: int) -> str:
        self.codes.append(new_qr_code())
        self.deadline = clock.monotonic() + seconds
        self.expires_at = epoch_ms(clock) + int(seconds * 1000)
        self.codes_left = codes_left
        return self.code

    def accepts(self, code: str, clock: Clock) -> bool:
        return not self.ended and self.code == code and clock.monotonic() < self.deadline


def epoch_ms(clock: Clock) -> int:
    """What the protocol's timestamps are: milliseconds since the epoch, on `clock`."""
    return int(clock.now().timestamp() * 1000)


class SimulatorNetwork:
    def __init__(self, config: SimulatorConfig, clock: Clock = SYSTEM_CLOCK) -> None:
        self.config = config
        # QR windows, receipts, typing and offline spells run on it (tests move a `ManualClock`).
        self.clock = clock
        self._store: SimulatorStore | None = None
        self._windows: dict[str, QrWindow] = {}
        self._links: dict[str, Link] = {}  # business phone -> its live link
        self._offline_until: dict[str, float] = {}
        self._expired_codes: dict[str, float] = {}
        self._typing: dict[tuple[str, str], float] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._started = False
        self._closed = False

    def _now_ms(self) -> int:
        return epoch_ms(self.clock)

    # ---- life --------------------------------------------------------------------------------------------------

    @property
    def store(self) -> SimulatorStore:
        # Opened on first use: a mounted simulator nobody calls costs nothing.
        if self._store is None:
            self._store = SimulatorStore(self.config.state_file)
        return self._store

    def ensure_started(self) -> None:
        """Mounted apps get no lifespan of their own, so the first request starts what a restart left pending."""
        if self._started:
            return
        self._started = True
        for message in self.store.business_messages_in_state("sent"):
            self._schedule_delivery(message)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        for link in list(self._links.values()) + [window.link for window in self._windows.values()]:
            await link.end(code=1001)
        if self._store is not None:
            self._store.close()

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ---- the link socket ---------------------------------------------------------------------------------------

    async def serve_link(self, ws: WebSocket) -> None:
        self.ensure_started()
        await ws.accept()
        link = Link(ws)
        hello = await self._hello(link)
        if hello is None:
            return
        receiver = asyncio.create_task(self._receive(link))
        try:
            if hello.session:
                bound = await self._resume(link, hello.session)
            else:
                bound = await self._qr_window(link, phone_or_none(hello.pairing_phone or ""))
            if bound is not None:
                await self._bind(link, *bound)
                await self._pump(link)
        except _SOCKET_GONE:
            pass
        finally:
            receiver.cancel()
            if link.phone is not None and self._links.get(link.phone) is link:
                del self._links[link.phone]
            await link.end()

    async def _hello(self, link: Link) -> HelloFrame | None:
        try:
            text = await asyncio.wait_for(link.ws.receive_text(), timeout=self.config.hello_timeout_seconds)
            frame = CLIENT_FRAME.validate_json(text)
        except (TimeoutError, ValidationError, *_SOCKET_GONE):
            frame = None
        if not isinstance(frame, HelloFrame):
            await link.end(code=1008)
            return None
        return frame

    async def _receive(self, link: Link) -> None:
        try:
            while True:
                frame = CLIENT_FRAME.validate_json(await link.ws.receive_text())
                if isinstance(frame, AckFrame) and link.phone is not None:
                    self.store.acknowledge(link.phone, frame.seq)
        except (ValidationError, *_SOCKET_GONE):
            pass
        finally:
            link.closed.set()
            link.wake.set()

    async def _resume(self, link: Link, token: str) -> tuple[str, str] | None:
        session = self.store.session(token)
        if session is None or not session.active:
            reason = "This session is not known to the network."
            if session is not None:
                reason = session.logout_reason or "The device was logged out."
            await link.end(LoggedOutFrame(reason=reason))
            return None
        if self._offline_until.get(session.phone, 0.0) > self.clock.monotonic():
            await link.end(code=CLOSE_TRY_LATER)
            return None
        return session.phone, token

    async def _qr_window(self, link: Link, pairing_phone: str | None) -> tuple[str, str] | None:
        """Rotate `qr_codes` codes, then end with `qr_expired`; a scan or pairing in between links the device."""
        config = self.config
        window = QrWindow(
            id=secrets.token_hex(6),
            link=link,
            pairing_phone=pairing_phone,
            linked=asyncio.get_running_loop().create_future(),
            ends_at=self._now_ms() + int(config.qr_window_seconds * 1000),
        )
        self._windows[window.id] = window
        closed: asyncio.Future[bool] = asyncio.ensure_future(link.closed.wait())
        # Set once the window cannot go on: a scan or a pairing linked the device, or the link closed.
        settled = asyncio.Event()
        window.linked.add_done_callback(lambda _linked: settled.set())
        closed.add_done_callback(lambda _closed: settled.set())
        try:
            for index in range(config.qr_codes):
                seconds = config.qr_first_seconds if index == 0 else config.qr_next_seconds
                code = window.rotate(self.clock, seconds, codes_left=config.qr_codes - index - 1)
                await link.send(QrFrame(code=code, expires_at=window.expires_at))
                if index == 0 and pairing_phone is not None:
                    window.pairing_code = new_pairing_code()
                    pairing = display_pairing_code(window.pairing_code)
                    await link.send(PairingCodeFrame(code=pairing, expires_at=window.ends_at))
                await self.clock.wait(settled, seconds)
                if window.linked.done():
                    return window.linked.result()
                if closed.done():
                    return None
            window.ended = True
            await link.end(QrExpiredFrame())
            return None
        finally:
            window.ended = True
            closed.cancel()
            del self._windows[window.id]
            self._forget_codes(window.codes)

    def _forget_codes(self, codes: list[str]) -> None:
        now = self.clock.monotonic()
        for code, since in list(self._expired_codes.items()):
            if now - since > EXPIRED_CODES_KEPT_SECONDS:
                del self._expired_codes[code]
        for code in codes:
            self._expired_codes[code] = now

    async def _bind(self, link: Link, phone: str, token: str) -> None:
        previous = self._links.get(phone)
        link.phone, link.session = phone, token
        self._links[phone] = link
        if previous is not None and previous is not link:
            if previous.session == token:
                await previous.end(ReplacedFrame(reason="The same session was opened on another device."))
            else:
                await previous.end(LoggedOutFrame(reason="Another device was linked with this phone."))
        await link.send(ConnectedFrame(phone=phone, session=token))

    async def _pump(self, link: Link) -> None:
        """Stream the phone's queued events in order; whatever is not acknowledged is sent again on the next link."""
        assert link.phone is not None
        last = 0
        while not link.closed.is_set():
            link.wake.clear()
            pending = self.store.pending(link.phone, after_seq=last)
            for seq, event in pending:
                await link.send_text(f'{{"type":"event","seq":{seq},"event":{event}}}')
                last = seq
            if not pending:
                await link.wake.wait()

    def _deliver(self, phone: str, event: BaseModel, message: tuple[str, str] | None = None) -> None:
        self.store.enqueue(phone, event.model_dump_json(), message)
        link = self._links.get(phone)
        if link is not None:
            link.wake.set()

    # ---- linking a device ----------------------------------------------------------------------------------

    async def scan(self, code: str, raw_phone: str) -> str:
        phone = require_phone(raw_phone, "phone")
        code = code.strip()
        window = next((window for window in self._windows.values() if window.accepts(code, self.clock)), None)
        if window is None:
            issued = code in self._expired_codes or any(code in w.codes for w in self._windows.values())
            if issued:
                raise Gone("This QR code has expired; scan the one shown now.")
            raise NotFound("No device is showing this QR code.", code="unknown_code")
        await self._link_window(window, phone)
        return phone

    async def pair(self, raw_code: str, raw_phone: str) -> str:
        phone = require_phone(raw_phone, "phone")
        code = raw_code.strip().upper().replace("-", "")
        window = next((w for w in self._windows.values() if not w.ended and w.pairing_code == code), None)
        if window is None:
            raise NotFound("No device is waiting for this pairing code.", code="unknown_code")
        if window.pairing_phone != phone:
            raise Forbidden("This pairing code was asked for another phone number.", code="phone_mismatch")
        await self._link_window(window, phone)
        return phone

    async def _link_window(self, window: QrWindow, phone: str) -> None:
        window.ended = True
        token, others = self.store.link_session(phone, self._now_ms(), "Another device was linked with this phone.")
        window.linked.set_result((phone, token))
        previous = self._links.get(phone)
        if previous is not None and previous.session in others:
            await previous.end(LoggedOutFrame(reason="Another device was linked with this phone."))

    # ---- phones writing --------------------------------------------------------------------------------------

    async def post_message(self, data: CustomerMessageIn) -> PostedMessage:
        self.ensure_started()
        author = require_phone(data.from_, "from")
        other = require_phone(data.to, "to")
        business, customer = (author, other) if data.from_me else (other, author)
        group_name: str | None = None
        chat = customer
        if data.group is not None:
            chat = group_jid(data.group.id)
            group_name = self.store.join_group(chat, data.group.name, customer)
        if data.kind in ("edit", "revoke"):
            return self._change(author, business, data)
        message_id = data.id or (new_business_message_id() if data.from_me else new_phone_message_id())
        if self.store.message(author, message_id) is not None:
            return self._deliver_again(author, message_id)
        push_name = None if data.from_me else self.store.remember_name(author, data.name)
        if data.from_me:
            sender, sender_alt, chat_address = user_jid(business), None, _chat_jid(chat)
        elif data.as_lid:
            sender, sender_alt = lid_jid(self.store.lid_of(customer)), user_jid(customer)
            chat_address = _chat_jid(chat) if data.group is not None else sender
        else:
            sender, sender_alt, chat_address = user_jid(customer), None, _chat_jid(chat)
        event = MessageEvent(
            id=message_id,
            chat=chat_address,
            sender=sender,
            sender_alt=sender_alt,
            push_name=push_name,
            group_name=group_name,
            from_me=data.from_me,
            ts=self._now_ms(),
            quoted_id=data.quoted_id,
            body=self._body(data),
        )
        message = StoredMessage(
            id=message_id,
            author=author,
            business=business,
            chat=chat,
            from_business=data.from_me,
            body=event.body,
            quoted_id=data.quoted_id,
            state="sent",
            ts=event.ts,
            edited=False,
            revoked=False,
        )
        self.store.insert_message(message, event=event.model_dump_json())
        self._deliver(business, event, None if data.from_me else (author, message_id))
        if data.from_me:
            self._schedule_delivery(message)  # the customer's phone is online: a delivered receipt follows
        return PostedMessage(id=message_id)

    def _deliver_again(self, author: str, message_id: str) -> PostedMessage:
        """WhatsApp sometimes delivers a message twice; the client must store it once."""
        message = self.store.message(author, message_id)
        event = self.store.message_event(author, message_id)
        if message is None or event is None:
            raise Conflict("That id belongs to a message sent by the business device.", code="duplicate_id")
        self.store.enqueue(message.business, event, None if message.from_business else (author, message_id))
        link = self._links.get(message.business)
        if link is not None:
            link.wake.set()
        return PostedMessage(id=message_id, duplicate=True)

    def _body(self, data: CustomerMessageIn) -> Body:
        kind, text = data.kind, data.text or ""
        if kind in MEDIA_KINDS and data.media is not None:
            content = data.media.decode()
            key = self.store.put_media(data.media.mime, data.media.file_name, content)
            return MediaBody(
                kind=data.media.kind or "document",
                mime=data.media.mime,
                url=media_url(key),
                file_name=data.media.file_name,
                caption=text,
                size=len(content),
                seconds=data.media.seconds,
            )
        if kind == "location" and data.location is not None:
            return LocationBody(**data.location.model_dump())
        if kind == "contact" and data.contact is not None:
            return ContactBody(display_name=data.contact.display_name, vcard=data.contact.as_vcard())
        if kind == "reaction" and data.reaction is not None:
            return ReactionBody(target_id=data.reaction.target_id, emoji=data.reaction.emoji)
        if kind == "unsupported":
            return UnsupportedBody(kind=data.unsupported)
        return TextBody(text=text)

    def _change(self, author: str, business: str, data: CustomerMessageIn) -> PostedMessage:
        """An edit or revoke of the author's own message, told to the business device as its own event."""
        target = self.store.message(author, data.target_id or "")
        if target is None or target.business != business:
            raise NotFound(f"{author} sent no message {data.target_id} to {business}.")
        chat = _chat_jid(target.chat)
        if data.kind == "edit":
            body: Body
            if isinstance(target.body, TextBody):
                body = TextBody(text=data.text or "")
            elif isinstance(target.body, MediaBody):
                body = target.body.model_copy(update={"caption": data.text or ""})
            else:
                raise Invalid("Only texts and captions can be edited.", code="not_editable")
            self.store.update_body(author, target.id, body)
            self._deliver(business, EditEvent(chat=chat, id=target.id, text=data.text or "", ts=self._now_ms()))
        else:
            self.store.update_body(author, target.id, None, revoked=True)
            self._deliver(business, RevokeEvent(chat=chat, id=target.id, ts=self._now_ms()))
        return PostedMessage(id=new_business_message_id() if data.from_me else new_phone_message_id())

    # ---- customer phones receiving ---------------------------------------------------------------------------

    def _schedule_delivery(self, message: StoredMessage) -> None:
        self._spawn(self._deliver_later(message))

    async def _deliver_later(self, message: StoredMessage) -> None:
        await self.clock.sleep(self.config.receipt_delay_seconds)
        if self.store.advance_state(message.author, message.id, "delivered"):
            receipt = ReceiptEvent(
                chat=_chat_jid(message.chat), ids=[message.id], receipt="delivered", ts=self._now_ms()
            )
            self._deliver(message.business, receipt)

    def messages_of(self, raw_phone: str, business: str | None, include_sent: bool) -> PhoneMessages:
        phone = require_phone(raw_phone, "phone")
        if business is not None:
            business = require_phone(business, "business")
        stored = self.store.messages_of_phone(phone, business=business, include_sent=include_sent)
        now = self.clock.monotonic()
        typing = sorted(
            {
                who
                for (who, chat), until in self._typing.items()
                if chat == phone and until > now and business in (None, who)
            }
        )
        return PhoneMessages(items=[_phone_message(phone, message) for message in stored], typing=typing)

    def read_by_customer(self, raw_phone: str, ids: list[str]) -> list[str]:
        phone = require_phone(raw_phone, "phone")
        received = self.store.messages_of_phone(phone, business=None, include_sent=False, ids=ids)
        unknown = sorted(set(ids) - {message.id for message in received})
        if unknown:
            raise NotFound(f"{phone} received no message with id {', '.join(unknown[:5])}.")
        receipts: dict[tuple[str, str], list[str]] = {}
        for message in received:
            if self.store.advance_state(message.author, message.id, "read"):
                receipts.setdefault((message.business, _chat_jid(message.chat)), []).append(message.id)
        for (business, chat), read_ids in receipts.items():
            self._deliver(business, ReceiptEvent(chat=chat, ids=read_ids, receipt="read", ts=self._now_ms()))
        return [message_id for read_ids in receipts.values() for message_id in read_ids]

    def media(self, key: str) -> StoredMedia:
        media = self.store.media(key)
        if media is None:
            raise NotFound("No such media.")
        return media

    async def download(self, key: str) -> StoredMedia:
        """A file, as slowly as the configured media servers hand it over."""
        media = self.media(key)
        await asyncio.sleep(self.config.media_delay_seconds)
        return media

    # ---- what the linked device asks over HTTP ---------------------------------------------------------------

    def device_session(self, token: str | None, *, live: bool) -> SessionRow:
        """The session behind a bearer token; with `live`, its device must also be connected right now."""
        session = self.store.session(token) if token else None
        if session is None or not session.active:
            raise Unauthenticated("The session is not linked (logged out or unknown).", code="not_linked")
        if live:
            link = self._links.get(session.phone)
            if link is None or link.session != token or link.closed.is_set():
                raise Conflict("The device is not connected to the network.", code="not_connected")
        return session

    def upload(self, session: SessionRow, mime: str, file_name: str | None, content: bytes) -> UploadResult:
        key = self.store.put_media(mime, file_name, content)
        return UploadResult(key=key, size=len(content))

    def send_from_device(self, session: SessionRow, request: SendRequest) -> SendAccepted:
        business = session.phone
        if request.edit is not None or request.revoke is not None:
            return self._change_from_device(business, request)
        existing = self.store.message(business, request.id)
        if existing is not None:
            return SendAccepted(id=existing.id, timestamp=existing.ts)
        chat = self._chat_of(request.chat)
        if not self.store.is_registered(chat):
            raise Invalid(f"The number {chat} is not on WhatsApp.", code="not_on_whatsapp")
        message = StoredMessage(
            id=request.id,
            author=business,
            business=business,
            chat=chat,
            from_business=True,
            body=self._device_body(request),
            quoted_id=request.quoted_id,
            state="sent",
            ts=self._now_ms(),
            edited=False,
            revoked=False,
        )
        if self.store.insert_message(message):
            self._schedule_delivery(message)
        return SendAccepted(id=message.id, timestamp=message.ts)

    def _change_from_device(self, business: str, request: SendRequest) -> SendAccepted:
        """An edit or a delete-for-everyone of one of the business's own messages: the customer's phone shows the
        new text (marked edited) or the deleted mark."""
        target_id = request.edit.target_id if request.edit is not None else request.revoke
        target = self.store.message(business, target_id or "")
        if target is None or not target.from_business:
            raise NotFound("No message of this business has that id.", code="unknown_message")
        if request.edit is not None:
            body = target.body
            if isinstance(body, TextBody):
                self.store.update_body(business, target.id, body.model_copy(update={"text": request.edit.text}))
            elif isinstance(body, MediaBody):
                self.store.update_body(business, target.id, body.model_copy(update={"caption": request.edit.text}))
            else:
                raise Invalid("Only texts and captions can be edited.", code="not_editable")
        else:
            self.store.update_body(business, target.id, None, revoked=True)
        return SendAccepted(id=request.id, timestamp=self._now_ms())

    def profile_picture(self, jid: str) -> StoredMedia:
        picture = self.store.picture(self._chat_of(jid))
        if picture is None:
            raise NotFound("This chat has no profile picture.", code="no_picture")
        return picture

    def set_picture(self, raw_phone: str, mime: str, data: bytes | None) -> None:
        self.store.set_picture(require_phone(raw_phone, "phone"), mime, data)

    def _device_body(self, request: SendRequest) -> Body:
        if request.reaction is not None:
            return request.reaction
        if request.media is not None:
            media = self.store.media(request.media.key)
            if media is None:
                raise Invalid("Upload the media first: its key is unknown.", code="unknown_media")
            return MediaBody(
                kind=request.media.kind,
                mime=request.media.mime,
                url=media_url(request.media.key),
                file_name=request.media.file_name,
                caption=request.text,
                size=len(media.data),
                seconds=request.media.seconds,
                forwarded=request.forwarded,
            )
        if not request.text:
            raise Invalid("A message needs text, media or a reaction.", code="empty_message")
        return TextBody(text=request.text, forwarded=request.forwarded)

    def _chat_of(self, jid: str) -> str:
        """Our chat key for a JID the device addresses: a phone number or a group JID."""
        user, server = split_jid(jid)
        if server == GROUP_SERVER:
            return group_jid(user)
        if server == LID_SERVER:
            phone = self.store.phone_of_lid(user)
            if phone is None:
                raise Invalid(f"Unknown LID {jid}.", code="unknown_chat")
            return phone
        phone = phone_or_none(user) if server == USER_SERVER else None
        if phone is None:
            raise Invalid(f"Cannot send to {jid}.", code="unknown_chat")
        return phone

    def set_registered(self, raw_phone: str, registered: bool) -> None:
        """A number joins WhatsApp (every number does unless told otherwise) or is not on it."""
        self.store.set_registered(require_phone(raw_phone, "phone"), registered)

    def read_by_device(self, session: SessionRow, request: ReadRequest) -> None:
        self.store.read_by_business(session.phone, self._chat_of(request.chat), request.ids)

    def presence(self, session: SessionRow, request: PresenceRequest) -> None:
        key = (session.phone, self._chat_of(request.chat))
        if request.typing:
            self._typing[key] = self.clock.monotonic() + TYPING_SECONDS
        else:
            self._typing.pop(key, None)

    async def device_logout(self, session: SessionRow) -> None:
        self.store.logout_session(session.token, self._now_ms(), "The device logged out.")
        link = self._links.get(session.phone)
        if link is not None and link.session == session.token:
            await link.end(LoggedOutFrame(reason="The device logged out."))

    # ---- faults ------------------------------------------------------------------------------------------------

    async def drop(self, raw_phone: str, offline_seconds: float) -> SessionAction:
        phone = require_phone(raw_phone, "phone")
        link = self._live_link(phone)
        if offline_seconds > 0:
            self._offline_until[phone] = self.clock.monotonic() + offline_seconds
        await link.end(code=1012)
        return SessionAction(phone=phone, action="dropped")

    async def logout(self, raw_phone: str) -> SessionAction:
        phone = require_phone(raw_phone, "phone")
        if not self.store.logout_phone(phone, self._now_ms(), "The phone unlinked this device."):
            raise NotFound(f"No device is linked with {phone}.", code="not_linked")
        link = self._links.get(phone)
        if link is not None:
            await link.end(LoggedOutFrame(reason="The phone unlinked this device."))
        return SessionAction(phone=phone, action="logged_out")

    async def replace(self, raw_phone: str) -> SessionAction:
        phone = require_phone(raw_phone, "phone")
        link = self._live_link(phone)
        await link.end(ReplacedFrame(reason="The same session was opened on another device."))
        return SessionAction(phone=phone, action="replaced")

    def _live_link(self, phone: str) -> Link:
        link = self._links.get(phone)
        if link is None or link.closed.is_set():
            raise Conflict(f"No device of {phone} is connected right now.", code="not_connected")
        return link

    def status(self) -> NetworkStatus:
        waiting = [
            WaitingScan(
                window=window.id,
                code=window.code,
                expires_at=window.expires_at,
                codes_left=window.codes_left,
                pairing_phone=window.pairing_phone,
                pairing_code=display_pairing_code(window.pairing_code) if window.pairing_code else None,
            )
            for window in self._windows.values()
            if not window.ended and window.code
        ]
        phones = [
            BusinessPhone(
                phone=row.phone,
                status="logged_out" if row.logged_out else "online" if row.phone in self._links else "offline",
                linked_at=row.linked_at,
                queued=row.queued,
            )
            for row in self.store.phones()
        ]
        return NetworkStatus(waiting=waiting, phones=phones)


class Unauthenticated(DomainError):
    status_code = 401
    code = "unauthorized"


def media_url(key: str) -> str:
    return f"/api/media/{key}"


def _chat_jid(chat: str) -> str:
    return chat if chat.endswith(f"@{GROUP_SERVER}") else user_jid(chat)


def _phone_message(phone: str, message: StoredMessage) -> PhoneMessage:
    body = message.body
    mine = message.author == phone
    return PhoneMessage(
        id=message.id,
        from_=message.author,
        to=message.business if mine else message.chat,
        chat=message.chat,
        mine=mine,
        kind=body.kind if isinstance(body, MediaBody) else body.type,
        text=body.text if isinstance(body, TextBody) else body.caption if isinstance(body, MediaBody) else "",
        body=body,
        quoted_id=message.quoted_id,
        state=message.state,
        timestamp=message.ts,
        edited=message.edited,
        revoked=message.revoked,
        forwarded=bool(getattr(body, "forwarded", False)),
    )
