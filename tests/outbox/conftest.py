"""Outbox fixtures: the ticket tests' `desk`, the media tests' `media_store`, pacing off unless a test turns it
on, and a way to run a dispatcher for the length of a test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest

from tests.media.conftest import media_store
from tests.outbox.fake_engine import FakeEngine
from tests.tickets.conftest import desk
from zapdesk.context import AppContext
from zapdesk.db.base import utcnow
from zapdesk.db.uow import unit_of_work
from zapdesk.kit.clock import ManualClock
from zapdesk.kit.retry import Backoff
from zapdesk.media.store import MediaStore
from zapdesk.outbox.dispatcher import OutboxDispatcher
from zapdesk.outbox.service import RetryPolicy
from zapdesk.settings.service import OUTBOUND_MIN_INTERVAL_MS, set_setting

__all__ = ["clock", "desk", "media_store", "no_pacing", "run_dispatcher"]

FAST_RETRIES = RetryPolicy(max_attempts=3, backoff=Backoff(first=0.05, cap=0.2))


async def set_pace(context: AppContext, milliseconds: int) -> None:
    async with unit_of_work(context.sessionmaker) as session:
        await set_setting(session, OUTBOUND_MIN_INTERVAL_MS.name, milliseconds)


@pytest.fixture
async def no_pacing(context: AppContext) -> None:
    await set_pace(context, 0)


RunDispatcher = Callable[..., AbstractAsyncContextManager[OutboxDispatcher]]


@pytest.fixture
def clock() -> ManualClock:
    """The dispatcher's clock: time passes (retries fall due, pacing waits end) only when a test moves it."""
    return ManualClock(start=utcnow())


@pytest.fixture
def run_dispatcher(context: AppContext, media_store: MediaStore, clock: ManualClock) -> RunDispatcher:
    """`async with run_dispatcher(connection_id, engine) as dispatcher:` sends until the block ends."""

    @asynccontextmanager
    async def run(
        connection_id: int,
        engine: FakeEngine,
        *,
        policy: RetryPolicy = FAST_RETRIES,
        poll_seconds: float = 0.05,
        send_timeout: float = 60.0,
    ) -> AsyncIterator[OutboxDispatcher]:
        dispatcher = OutboxDispatcher(
            connection_id=connection_id,
            engine=engine,
            sessionmaker=context.sessionmaker,
            sink=context.publish,
            media_store=media_store,
            is_connected=lambda: engine.connected,
            policy=policy,
            poll_seconds=poll_seconds,
            send_timeout=send_timeout,
            clock=clock,
        )
        dispatcher.start()
        try:
            yield dispatcher
        finally:
            await dispatcher.close()

    return run
