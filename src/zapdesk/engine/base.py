"""The one interface every WhatsApp engine implements, and the errors it may raise."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable

from zapdesk.engine.events import Chat, EngineEvent, OutgoingMessage, SendResult, SessionTarget

EventHandler = Callable[[EngineEvent], Awaitable[None]]


class EngineError(Exception):
    """A command the engine could not carry out; `retryable` says whether trying later may work."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class NotConnected(EngineError):
    def __init__(self, message: str = "The WhatsApp connection is not connected.") -> None:
        super().__init__(message, retryable=True)


class Throttled(EngineError):
    """The network asks us to send more slowly: not a failed attempt. `whole_connection` False means only this
    chat is limited (too many messages to one person); `retry_after` is how long to hold back, in seconds."""

    def __init__(self, message: str, *, retry_after: float, whole_connection: bool) -> None:
        super().__init__(message, retryable=True)
        self.retry_after = retry_after
        self.whole_connection = whole_connection


@runtime_checkable
class SendsInParallel(Protocol):
    """An engine that may send to several chats at once and needs none of our anti-ban pacing (the official
    Cloud API): its own throughput limits come back as `Throttled`."""

    @property
    def parallel_sends(self) -> int: ...


class Engine(Protocol):
    """One WhatsApp session. Events go to the handler given at construction, in order.

    An engine may hand over the next inbound event (`MessageReceived`, `Receipt`, `MessageEdited`,
    `MessageRevoked`) before the handler returned for the earlier ones, and acknowledges each once its own call
    returned; any other event waits until every earlier call has returned. The handler keeps the call order.

    `start` never raises for network trouble: failures become `StateChanged` events.
    """

    async def start(self, target: SessionTarget) -> None:
        """Resume `target.session_ref`, or open one QR window (and a pairing code if a phone is given)."""

    async def stop(self) -> None:
        """Close the live session, keeping its stored keys so a later `start` resumes it."""

    async def logout(self) -> None:
        """Unlink this device from the phone and forget its keys; the next start needs a new scan."""

    def new_message_id(self) -> str:
        """A fresh id in the protocol's own format, for `OutgoingMessage.message_id`."""
        ...

    async def send(self, chat: Chat, message: OutgoingMessage) -> SendResult: ...

    async def react(
        self, chat: Chat, target_id: str, emoji: str, *, target_from_me: bool, target_sender: str | None = None
    ) -> SendResult:
        """React to a message; in a group, `target_sender` is its author's address (`Sender.address`)."""
        ...

    async def edit(self, chat: Chat, target_id: str, text: str) -> SendResult:
        """Replace the text (or caption) of our own message `target_id` (WhatsApp allows it for 15 minutes)."""
        ...

    async def revoke(self, chat: Chat, target_id: str) -> SendResult:
        """Delete our own message `target_id` for everyone."""
        ...

    async def profile_picture(self, chat: Chat) -> bytes | None:
        """The chat's current profile picture (JPEG), or None when it has none or hides it from us."""
        ...

    async def mark_read(self, chat: Chat, external_ids: list[str], *, sender: str | None = None) -> None:
        """Mark messages read. In a group every id must be by one author, whose address is `sender`."""

    async def set_typing(self, chat: Chat, typing: bool) -> None: ...

    async def download(self, ref: str) -> bytes:
        """The file behind a received `MediaContent.ref`; `EngineError(retryable=False)` when it is gone for good."""
        ...
