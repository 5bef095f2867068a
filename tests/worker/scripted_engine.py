"""An in-memory `Engine` for worker tests: it records what it was told and emits the events a test scripts."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from zapdesk.db.base import utcnow
from zapdesk.engine.base import EventHandler, NotConnected
from zapdesk.engine.events import Chat, EngineEvent, OutgoingMessage, SendResult, SessionTarget

_ids = itertools.count(1)


@dataclass
class ScriptedEngine:
    key: str
    handler: EventHandler
    connected: bool = False
    started: list[SessionTarget] = field(default_factory=list)
    stopped: int = 0
    logged_out: int = 0
    sent: list[tuple[Chat, OutgoingMessage]] = field(default_factory=list)

    async def emit(self, event: EngineEvent) -> None:
        await self.handler(event)

    async def start(self, target: SessionTarget) -> None:
        self.started.append(target)

    async def stop(self) -> None:
        self.stopped += 1

    async def logout(self) -> None:
        self.logged_out += 1

    def new_message_id(self) -> str:
        return f"SCRIPTED{next(_ids):06d}"

    async def send(self, chat: Chat, message: OutgoingMessage) -> SendResult:
        if not self.connected:
            raise NotConnected()
        self.sent.append((chat, message))
        return SendResult(external_id=message.message_id, timestamp=utcnow())

    async def react(
        self, chat: Chat, target_id: str, emoji: str, *, target_from_me: bool, target_sender: str | None = None
    ) -> SendResult:
        return SendResult(external_id=self.new_message_id(), timestamp=utcnow())

    async def mark_read(self, chat: Chat, external_ids: list[str], *, sender: str | None = None) -> None:
        return None

    async def set_typing(self, chat: Chat, typing: bool) -> None:
        return None
