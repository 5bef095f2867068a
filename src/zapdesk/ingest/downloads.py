"""Rules for received files: which downloads are due, what a downloaded file does to its message, and what a
failed download does (`retrying` with backoff, then `failed` with a reason).

A received message is stored at once with its file `pending` (`ingest.service`); the downloader
(`ingest.downloader`) strings these functions together. Each runs in the caller's transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.db.base import utcnow
from zapdesk.db.uow import on_rollback
from zapdesk.kit.retry import Backoff
from zapdesk.media.store import MediaStore, received_file_columns
from zapdesk.messages.models import MediaState, Message
from zapdesk.messages.service import record_message_updated
from zapdesk.outbox.service import RetryPolicy

log = logging.getLogger(__name__)

# WhatsApp's media servers blink; a file is tried for about a quarter of an hour before it is given up.
DOWNLOAD_RETRIES = RetryPolicy(max_attempts=6, backoff=Backoff(first=10.0, cap=300.0))


@dataclass(frozen=True, slots=True)
class Download:
    """One file to fetch: the message it belongs to and the engine's handle for it."""

    message_id: int
    ref: str
    size: int | None  # as the sender announced it


async def due_downloads(
    session: AsyncSession, *, connection_id: int, limit: int, skip: Collection[int] = (), now: datetime | None = None
) -> list[Download]:
    """The oldest downloads of the connection that are due now, without those in `skip` (already running)."""
    query = (
        select(Message.id, Message.media_ref, Message.media_size)
        .where(
            Message.connection_id == connection_id,
            Message.media_due_at.is_not(None),
            Message.media_due_at <= (now or utcnow()),
            Message.media_ref.is_not(None),
        )
        .order_by(Message.media_due_at, Message.id)
        .limit(limit + len(skip))
    )
    rows = (await session.execute(query)).all()
    found = [Download(id_, ref, size) for id_, ref, size in rows if id_ not in skip and ref is not None]
    return found[:limit]


async def connections_with_due_downloads(session: AsyncSession, *, now: datetime | None = None) -> set[int]:
    """The connections with a file to download now: what a worker's sweep wakes the downloaders of."""
    query = (
        select(Message.connection_id)
        .where(
            Message.media_due_at.is_not(None),
            Message.media_due_at <= (now or utcnow()),
            Message.media_ref.is_not(None),
        )
        .distinct()
    )
    return set((await session.execute(query)).scalars())


async def next_download_at(session: AsyncSession, *, connection_id: int) -> datetime | None:
    """When the earliest download not yet due becomes due (the downloader sleeps until then)."""
    query = select(func.min(Message.media_due_at)).where(
        Message.connection_id == connection_id, Message.media_due_at.is_not(None)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def store_download(
    session: AsyncSession, *, download: Download, data: bytes, media_store: MediaStore
) -> str | None:
    """Keep the downloaded file and announce the message with it (nothing is kept when the message went away
    meanwhile, or now wants another file). Returns the file this one replaces (an HD copy replaces the first):
    the caller deletes it once this is committed."""
    message = await session.get(Message, download.message_id, populate_existing=True)
    if message is None or message.media_ref != download.ref:
        return None
    replaced = message.media_path
    stored = await media_store.save(data, declared_mime=message.media_mime)
    on_rollback(session, partial(media_store.delete, stored.path))
    for column, value in received_file_columns(stored, message.media_name).items():
        setattr(message, column, value)
    message.media_state = MediaState.READY
    message.media_ref = message.media_due_at = None
    message.extra = {key: value for key, value in message.extra.items() if key != "media_error"}
    await record_message_updated(session, message)
    return replaced


async def record_download_failure(
    session: AsyncSession,
    *,
    download: Download,
    error: str,
    retryable: bool,
    policy: RetryPolicy = DOWNLOAD_RETRIES,
    now: datetime | None = None,
) -> Message | None:
    """A download did not work: `retrying` later (capped exponential backoff), or `failed` for good. Either way the
    message says why."""
    message = await session.get(Message, download.message_id, populate_existing=True)
    if message is None or message.media_ref != download.ref:
        return None
    message.media_attempts += 1
    retry = retryable and message.media_attempts < policy.max_attempts
    if message.media_path is not None:
        # A better copy that does not come: the message keeps the file it has.
        log.info("the better copy of message %s %s: %s", message.id, "waits" if retry else "is given up", error)
        message.media_due_at = _next_try(message, policy, now) if retry else None
        return message
    message.extra = {**message.extra, "media_error": error}
    if retry:
        message.media_state = MediaState.RETRYING
        message.media_due_at = _next_try(message, policy, now)
    else:
        log.info("the file of message %s is given up: %s", message.id, error)
        message.media_state = MediaState.FAILED
        message.media_due_at = None
    await record_message_updated(session, message)
    return message


def _next_try(message: Message, policy: RetryPolicy, now: datetime | None) -> datetime:
    return (now or utcnow()) + timedelta(seconds=policy.backoff.delay(message.media_attempts))
