"""Running the media downloader of a connection for the length of a test, and reading a message back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy import select

from zapdesk.context import AppContext
from zapdesk.engine.base import Engine
from zapdesk.ingest.downloader import MAX_MEDIA_BYTES, MediaDownloader
from zapdesk.kit.retry import Backoff
from zapdesk.media.store import MediaStore
from zapdesk.messages.models import MediaState, Message
from zapdesk.outbox.service import RetryPolicy

FAST_RETRIES = RetryPolicy(max_attempts=3, backoff=Backoff(first=0.05, cap=0.1))


@asynccontextmanager
async def running_downloader(
    context: AppContext,
    connection_id: int,
    engine: Engine,
    media_store: MediaStore,
    *,
    connected: Callable[[], bool] = lambda: True,
    max_bytes: int = MAX_MEDIA_BYTES,
) -> AsyncIterator[MediaDownloader]:
    downloader = MediaDownloader(
        connection_id=connection_id,
        engine=engine,
        sessionmaker=context.sessionmaker,
        sink=context.publish,
        media_store=media_store,
        is_connected=connected,
        policy=FAST_RETRIES,
        poll_seconds=0.05,
        max_bytes=max_bytes,
    )
    downloader.start()
    try:
        yield downloader
    finally:
        await downloader.close()


async def message_by_external_id(context: AppContext, external_id: str) -> Message:
    async with context.sessionmaker() as session:
        return (await session.execute(select(Message).where(Message.external_id == external_id))).scalar_one()


async def eventually_message(context: AppContext, external_id: str, check: Callable[[Message], bool]) -> Message:
    """The message once `check` holds (the downloader works in its own tasks and transactions)."""
    async with asyncio.timeout(10.0):
        while True:
            message = await message_by_external_id(context, external_id)
            if check(message):
                return message
            await asyncio.sleep(0.02)


async def media_state_becomes(context: AppContext, external_id: str, *states: MediaState) -> Message:
    """The message once its file is in one of `states`."""
    return await eventually_message(context, external_id, lambda message: message.media_state in states)


async def media_settles(context: AppContext, external_id: str) -> Message:
    """The message once its file no longer waits for a download (ready, or given up)."""
    return await media_state_becomes(context, external_id, MediaState.READY, MediaState.FAILED)
