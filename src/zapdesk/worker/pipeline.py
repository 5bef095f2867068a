"""What a worker's sessions are wired to: the engine registry, the inbound pipeline, the media downloader and the
outbox."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from zapdesk.automation.runner import Automation
from zapdesk.config import Settings
from zapdesk.db.events import EventSink, Published
from zapdesk.engine.base import Engine, EventHandler
from zapdesk.engine.registry import build_engine, engine_name
from zapdesk.ingest.downloader import MediaDownloader
from zapdesk.ingest.early_receipts import EarlyReceipts
from zapdesk.ingest.service import apply_receipt, ingest_events
from zapdesk.media.store import MediaStore
from zapdesk.metrics.recorder import counting_sink
from zapdesk.outbox.dispatcher import OutboxDispatcher
from zapdesk.webhooks.service import WebhookFeeder, feeding_sink
from zapdesk.worker.group_commit import GroupCommit
from zapdesk.worker.nudges import wakes_automation
from zapdesk.worker.runner import InboundEvent, LoopStarter, RunnerDeps, SessionLoop


def worker_parts(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], sink: EventSink
) -> tuple[RunnerDeps, Automation]:
    """A worker's sessions and its automation, which wakes whenever this worker commits what it reacts to."""
    automation = Automation(sessionmaker, counting_sink(sink))

    async def waking(events: Sequence[Published]) -> None:
        await sink(events)
        if wakes_automation(events):
            automation.nudge()

    return runner_deps(settings, sessionmaker, waking), automation


def runner_deps(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], sink: EventSink) -> RunnerDeps:
    media_store = MediaStore(settings.media_dir)
    # What sessions commit here is queued for outgoing webhooks too; the server's dispatcher sends it.
    sink = feeding_sink(counting_sink(sink), WebhookFeeder(sessionmaker, settings))
    early_receipts = EarlyReceipts()

    def engine_for(provider: str, connection_key: str, handler: EventHandler) -> Engine:
        return build_engine(provider, settings, connection_key, handler)

    async def ingest(session: AsyncSession, connection_id: int, events: Sequence[InboundEvent]) -> None:
        await ingest_events(
            session, connection_id=connection_id, events=events, media_store=media_store, early_receipts=early_receipts
        )

    async def apply_early_receipts(session: AsyncSession, connection_id: int, external_id: str) -> None:
        for receipt in early_receipts.take(connection_id, external_id):
            await apply_receipt(session, connection_id=connection_id, event=receipt)

    def starter(kind: Callable[..., OutboxDispatcher | MediaDownloader]) -> LoopStarter:
        """Starts a loop made by `kind` for one session, on this worker's database, sink and files."""

        def start(connection_id: int, engine: Engine, is_connected: Callable[[], bool]) -> SessionLoop:
            loop = kind(
                connection_id=connection_id,
                engine=engine,
                sessionmaker=sessionmaker,
                sink=sink,
                media_store=media_store,
                is_connected=is_connected,
            )
            loop.start()
            return loop

        return start

    return RunnerDeps(
        settings=settings,
        sessionmaker=sessionmaker,
        sink=sink,
        build_engine=engine_for,
        ingest=ingest,
        start_outbox=starter(partial(OutboxDispatcher, after_sent=apply_early_receipts)),
        start_downloader=starter(MediaDownloader),
        engine_name=lambda provider: engine_name(provider, settings),
        group_commit=GroupCommit(sessionmaker, sink, ingest),
    )
