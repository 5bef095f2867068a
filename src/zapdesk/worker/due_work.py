"""Which connections have work due for their session loops: messages or actions to send and profile pictures to
fetch (the outbox), files to download (the downloader).

Found with a few queries over all connections at once, on partial indexes that hold only what is due, so a
worker with a thousand idle sessions spends three queries per heartbeat instead of each session's loops polling
their own queues every few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.ingest.downloads import connections_with_due_downloads
from zapdesk.outbox.avatars import connections_with_due_avatars
from zapdesk.outbox.service import connections_with_due_sends


@dataclass(frozen=True, slots=True)
class DueWork:
    sends: set[int]  # connections whose outbox has something to do now
    downloads: set[int]  # connections whose downloader has a file due now


async def find_due_work(session: AsyncSession, *, now: datetime) -> DueWork:
    sends = await connections_with_due_sends(session, now=now) | await connections_with_due_avatars(session, now=now)
    return DueWork(sends=sends, downloads=await connections_with_due_downloads(session, now=now))
