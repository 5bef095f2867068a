"""The downloader of one connection: fetches the files of received messages after they were stored, a few at a
time, through the connection's engine.

The database is the queue (`ingest.downloads`): a restart, a killed worker or a session that drops only delays a
file. The message is already stored and shown; its file appears (`message.updated`) when it is here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from zapdesk.db.events import EventSink
from zapdesk.db.uow import unit_of_work
from zapdesk.engine.base import Engine, EngineError, NotConnected
from zapdesk.ingest.downloads import (
    DOWNLOAD_RETRIES,
    Download,
    due_downloads,
    next_download_at,
    record_download_failure,
    store_download,
)
from zapdesk.kit.clock import SYSTEM_CLOCK, Clock
from zapdesk.kit.loops import StepLoop
from zapdesk.media.store import MediaStore
from zapdesk.outbox.service import RetryPolicy

log = logging.getLogger(__name__)

# Downloads of one connection at the same time: enough to keep up with a backlog of photos, few enough not to
# hold a session's bandwidth (or memory: each file is in memory until it is written).
PARALLEL_DOWNLOADS = 4
MAX_MEDIA_BYTES = 100 * 1024 * 1024


class MediaDownloader(StepLoop):
    """Downloads connection `connection_id`'s pending files while `is_connected()` says the session is up.

    Woken by `nudge()` (messages with files were stored, the session connected); looks by itself every
    `poll_seconds` in case a nudge was lost.
    """

    def __init__(
        self,
        *,
        connection_id: int,
        engine: Engine,
        sessionmaker: async_sessionmaker[AsyncSession],
        sink: EventSink,
        media_store: MediaStore,
        is_connected: Callable[[], bool],
        policy: RetryPolicy = DOWNLOAD_RETRIES,
        parallel: int = PARALLEL_DOWNLOADS,
        max_bytes: int = MAX_MEDIA_BYTES,
        poll_seconds: float = 5.0,
        not_connected_pause: float = 5.0,
        download_timeout: float = 120.0,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        super().__init__(name=f"downloads of connection {connection_id}", poll_seconds=poll_seconds, clock=clock)
        self.connection_id = connection_id
        self.engine = engine
        self.sessionmaker = sessionmaker
        self.sink = sink
        self.media_store = media_store
        self.is_connected = is_connected
        self.policy = policy
        self.parallel = parallel
        self.max_bytes = max_bytes
        self.download_timeout = download_timeout
        self.not_connected_pause = not_connected_pause
        self._running: dict[int, asyncio.Task[None]] = {}
        self._storing: set[int] = set()

    async def close(self) -> None:
        """Stop downloading; a file caught mid-download stays due and is fetched by whoever runs the session next.

        A file already downloaded is let finish: its commit and then the deletion of the copy it replaced, which a
        cancellation between the two would leave on disk for ever.
        """
        await super().close()
        running = list(self._running.items())
        for message_id, task in running:
            if message_id not in self._storing:
                task.cancel()
        for _, task in running:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def step(self) -> float:
        """Start the downloads that are due and fit; returns how long to wait (unless nudged) before looking again."""
        room = self.parallel - len(self._running)
        if not self.is_connected() or room <= 0:
            return self.poll_seconds  # a finished download nudges
        async with unit_of_work(self.sessionmaker) as session:
            due = await due_downloads(
                session, connection_id=self.connection_id, limit=room, skip=set(self._running), now=self.clock.now()
            )
            later = None if due else await next_download_at(session, connection_id=self.connection_id)
        for download in due:
            task = asyncio.create_task(self._fetch(download), name=f"download-{download.message_id}")
            self._running[download.message_id] = task
            task.add_done_callback(partial(self._finished, download.message_id))
        if due or later is None:
            return self.poll_seconds
        return min(self.poll_seconds, max(0.0, (later - self.clock.now()).total_seconds()))

    def _finished(self, message_id: int, _task: asyncio.Task[None]) -> None:
        self._running.pop(message_id, None)
        self.nudge()

    async def _fetch(self, download: Download) -> None:
        if download.size is not None and download.size > self.max_bytes:
            reason = f"The file ({download.size:,} bytes) is larger than the {self.max_bytes:,} bytes allowed."
            await self._failed(download, reason, retryable=False)
            return
        try:
            async with asyncio.timeout(self.download_timeout):
                data = await self.engine.download(download.ref)
        except NotConnected:
            # Not an attempt: it stays due. Held here a moment so the next look does not find it again at once.
            await self.clock.sleep(self.not_connected_pause)
        except EngineError as exc:
            await self._failed(download, str(exc) or "WhatsApp refused the download.", retryable=exc.retryable)
        except TimeoutError:
            await self._failed(download, f"The download took longer than {self.download_timeout:g} s.", retryable=True)
        except Exception as exc:
            log.exception("downloads of connection %s: message %s failed", self.connection_id, download.message_id)
            await self._failed(download, f"The download failed unexpectedly: {exc}", retryable=True)
        else:
            self._storing.add(download.message_id)
            try:
                await self._store(download, data)
            finally:
                self._storing.discard(download.message_id)

    async def _store(self, download: Download, data: bytes) -> None:
        async with unit_of_work(self.sessionmaker, self.sink) as session:
            replaced = await store_download(session, download=download, data=data, media_store=self.media_store)
        if replaced is not None:
            await self.media_store.delete(replaced)

    async def _failed(self, download: Download, error: str, *, retryable: bool) -> None:
        log.info("downloads of connection %s: message %s: %s", self.connection_id, download.message_id, error)
        async with unit_of_work(self.sessionmaker, self.sink) as session:
            await record_download_failure(
                session, download=download, error=error, retryable=retryable, policy=self.policy, now=self.clock.now()
            )
