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
from zapdesk.ingest.service import Inbound, apply_receipt, ingest_batch
from zapdesk.kit.clock import SYSTEM_CLOCK, Clock
from zapdesk.media.store import MediaStore
from zapdesk.metrics.recorder import counting_sink
from zapdesk.outbox.dispatcher import OutboxDispatcher
from zapdesk.webhooks.service import FeedingSink, WebhookFeeder
from zapdesk.worker.group_commit import GroupCommit
from zapdesk.worker.inbox import Inbox
from zapdesk.worker.nudges import wakes_automation
from zapdesk.worker.runner import LoopStarter, RunnerDeps, SessionLoop
from zapdesk.worker.states import StateWriter

# A session's outbox and downloader are woken when they have work: by nudges, and by the worker's sweep for due
# work (`worker.due_work`) on every heartbeat. Looking by themselves is only a last resort, rare enough that a
# thousand idle sessions cost nothing.
SESSION_LOOP_POLL_SECONDS = 600.0


def worker_parts(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], sink: EventSink, clock: Clock = SYSTEM_CLOCK
) -> tuple[RunnerDeps, Automation]:
    """A worker's sessions and its automation, which wakes whenever this worker commits what it reacts to."""
    automation = Automation(sessionmaker, counting_sink(sink), clock=clock)

    async def waking(events: Sequence[Published]) -> None:
        await sink(events)
        if wakes_automation(events):
            automation.nudge()

    return runner_deps(settings, sessionmaker, waking, clock), automation


def runner_deps(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], sink: EventSink, clock: Clock = SYSTEM_CLOCK
) -> RunnerDeps:
    media_store = MediaStore(settings.media_dir)
    # What sessions commit here is queued for outgoing webhooks too; the server's dispatcher sends it.
    feeding = FeedingSink(counting_sink(sink), WebhookFeeder(sessionmaker, settings))
    sink = feeding
    early_receipts = EarlyReceipts()

    def engine_for(provider: str, connection_key: str, handler: EventHandler) -> Engine:
        return build_engine(provider, settings, connection_key, handler)

    async def ingest(session: AsyncSession, batch: Sequence[Inbound]) -> None:
        await ingest_batch(session, batch, media_store=media_store, early_receipts=early_receipts)

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
                poll_seconds=SESSION_LOOP_POLL_SECONDS,
            )
            loop.start()
            return loop

        return start

    group_commit = GroupCommit(sessionmaker, sink, ingest, clock=clock)
    # The inbox gathers its batches itself (`Inbox._gather`): its pipeline stores each at once.
    drains = GroupCommit(sessionmaker, sink, ingest, clock=clock, regather=0.0)
    inbox = Inbox(sessionmaker, drains, clock=clock, one_writer=settings.is_sqlite)

    async def settle() -> None:
        await inbox.close()
        await feeding.flush()

    return RunnerDeps(
        settings=settings,
        sessionmaker=sessionmaker,
        sink=sink,
        build_engine=engine_for,
        ingest=ingest,
        start_outbox=starter(partial(OutboxDispatcher, after_sent=apply_early_receipts, clock=clock)),
        start_downloader=starter(partial(MediaDownloader, clock=clock)),
        clock=clock,
        engine_name=lambda provider: engine_name(provider, settings),
        group_commit=group_commit,
        states=StateWriter(sessionmaker, sink),
        inbox=inbox,
        settle=settle,
    )
