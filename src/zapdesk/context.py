"""What one server process shares between requests: settings, the database, and where events go."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from zapdesk.config import Settings
from zapdesk.db.engine import create_engine, create_sessionmaker
from zapdesk.db.events import EventSink, Published
from zapdesk.kit.clock import SYSTEM_CLOCK, Clock


async def _drop_events(_events: Sequence[Published]) -> None:
    """Until a realtime server is attached, committed events have nobody to reach."""


@dataclass
class AppContext:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    sink: EventSink = field(default=_drop_events)
    # What leases, backoffs, QR windows and timers wait on; tests put a `ManualClock` here.
    clock: Clock = field(default=SYSTEM_CLOCK)
    # Start-up steps of background services attached to this context, run by the server's lifespan.
    on_start: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # Shutdown steps of what was attached to this context (the realtime server, background services), run once.
    on_close: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # Also given every batch this process commits, after the sink (outgoing webhooks queue their deliveries).
    consumers: list[EventSink] = field(default_factory=list)

    @classmethod
    def from_settings(cls, settings: Settings) -> AppContext:
        engine = create_engine(settings.async_database_url, pooled=settings.uses_pooler)
        return cls(settings=settings, engine=engine, sessionmaker=create_sessionmaker(engine))

    async def publish(self, events: Sequence[Published]) -> None:
        await self.sink(events)
        for consume in self.consumers:
            await consume(events)

    async def start(self) -> None:
        for step in self.on_start:
            await step()

    async def close(self) -> None:
        while self.on_close:
            await self.on_close.pop()()
        await self.engine.dispose()
