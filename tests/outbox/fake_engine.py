"""A fake `Engine` for dispatcher tests: records each send (and when), and fails the sends a test scripts."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field

from zapdesk.db.base import utcnow
from zapdesk.engine.base import EngineError, NotConnected
from zapdesk.engine.events import Chat, OutgoingMessage, SendResult, SessionTarget
from zapdesk.kit.clock import SYSTEM_CLOCK, Clock

_ids = itertools.count(1)


@dataclass(frozen=True, slots=True)
class SentMessage:
    chat: Chat
    message: OutgoingMessage
    at: float  # the clock's monotonic time


@dataclass
class FakeEngine:
    connected: bool = True
    sent: list[SentMessage] = field(default_factory=list)
    # Raised by the next sends, one per send, before anything else happens.
    failures: list[EngineError] = field(default_factory=list)
    attempts: int = 0
    reactions: list[tuple[str, str, str]] = field(default_factory=list)  # (chat, target id, emoji)
    read_marks: list[tuple[str, list[str]]] = field(default_factory=list)
    clock: Clock = SYSTEM_CLOCK
    # Profile pictures by chat address; an address missing here has none.
    pictures: dict[str, bytes] = field(default_factory=dict)
    # What else the engine was asked to do, in order: ("edit", target, text), ("revoke", target), …
    calls: list[tuple[str, ...]] = field(default_factory=list)
    # The author each reaction or read mark named (in a group: the member who wrote the message), in call order.
    authors: list[str | None] = field(default_factory=list)
    # Sends of these texts wait for WhatsApp's answer until their event is set (a slow network, a busy Go thread).
    answers: dict[str, asyncio.Event] = field(default_factory=dict)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def start(self, target: SessionTarget) -> None:
        self.connected = True

    async def stop(self) -> None:
        self.connected = False

    async def logout(self) -> None:
        self.connected = False

    def new_message_id(self) -> str:
        return f"FAKE{next(_ids):08d}"

    async def send(self, chat: Chat, message: OutgoingMessage) -> SendResult:
        self.attempts += 1
        async with self._changed:
            self._changed.notify_all()
        if not self.connected:
            raise NotConnected()
        if self.failures:
            raise self.failures.pop(0)
        if message.text in self.answers:
            await self.answers[message.text].wait()
        self.sent.append(SentMessage(chat, message, self.clock.monotonic()))
        async with self._changed:
            self._changed.notify_all()
        return SendResult(external_id=message.message_id, timestamp=utcnow())

    async def react(
        self, chat: Chat, target_id: str, emoji: str, *, target_from_me: bool, target_sender: str | None = None
    ) -> SendResult:
        self.reactions.append((chat.address, target_id, emoji))
        self.authors.append(target_sender)
        self.calls.append(("react", chat.address, target_id, emoji))
        return SendResult(external_id=self.new_message_id(), timestamp=utcnow())

    async def edit(self, chat: Chat, target_id: str, text: str) -> SendResult:
        return self._call("edit", chat.address, target_id, text)

    async def revoke(self, chat: Chat, target_id: str) -> SendResult:
        return self._call("revoke", chat.address, target_id)

    async def profile_picture(self, chat: Chat) -> bytes | None:
        if not self.connected:
            raise NotConnected()
        return self.pictures.get(chat.address)

    async def mark_read(self, chat: Chat, external_ids: list[str], *, sender: str | None = None) -> None:
        self.read_marks.append((chat.address, list(external_ids)))
        self.authors.append(sender)
        self.calls.append(("read", chat.address, *external_ids))

    async def set_typing(self, chat: Chat, typing: bool) -> None:
        self._call("typing", chat.address, str(typing))

    def _call(self, *call: str) -> SendResult:
        if not self.connected:
            raise NotConnected()
        self.calls.append(call)
        return SendResult(external_id=self.new_message_id(), timestamp=utcnow())

    def hold(self, text: str) -> asyncio.Event:
        """WhatsApp answers the send of `text` only once the returned event is set."""
        return self.answers.setdefault(text, asyncio.Event())

    async def wait_for_sent(self, count: int, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: len(self.sent) >= count)

    async def wait_for_attempts(self, count: int, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: self.attempts >= count)


@dataclass
class ParallelFakeEngine(FakeEngine):
    """Like the Cloud API: sends to several chats at once (each taking `send_seconds`), no pacing."""

    parallel_sends: int = 4
    send_seconds: float = 0.05
    in_flight: int = 0
    most_in_flight: int = 0

    async def send(self, chat: Chat, message: OutgoingMessage) -> SendResult:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.send_seconds)
            return await super().send(chat, message)
        finally:
            self.in_flight -= 1
