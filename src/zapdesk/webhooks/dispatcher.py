"""The webhook dispatcher of a server process: claims due deliveries, posts them signed, records what came back.

Many at once (each ticket's deliveries still one after the other: a later one is not due while an earlier one
waits). Posts go through `guarded_session`, so an endpoint whose name comes to resolve to a private address is
refused at the moment of sending, not only when it was registered. Several processes may run one: claims lease
deliveries (and skip locked rows on PostgreSQL), so each goes out once at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence

import aiohttp

from zapdesk.context import AppContext
from zapdesk.db.base import utcnow
from zapdesk.db.uow import unit_of_work
from zapdesk.errors import DomainError
from zapdesk.kit.addresses import check_literal, guarded_session
from zapdesk.kit.group_commit import GroupCommit
from zapdesk.kit.secrets import SecretBox
from zapdesk.kit.stepping import run_steps
from zapdesk.webhooks import signing
from zapdesk.webhooks.service import Job, Outcome, RetrySchedule, claim_jobs, next_due_at, record_outcomes

log = logging.getLogger(__name__)

IN_FLIGHT = 64
CLAIM_BATCH = 200
# A batch is claimed while the one before is still being posted, so the endpoint never waits for our database.
BATCHES_IN_FLIGHT = 2
TIMEOUT_SECONDS = 15.0


class WebhookDispatcher:
    """Looks every `poll_seconds` (deliveries a worker queued), and at once when this process queued some."""

    def __init__(self, context: AppContext, *, poll_seconds: float = 1.0) -> None:
        self.context = context
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._http: aiohttp.ClientSession | None = None
        self._outcomes: GroupCommit[Outcome] = GroupCommit(self._record)
        self._slots = asyncio.Semaphore(IN_FLIGHT)
        self._batches: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="webhook-dispatcher")

    def nudge(self) -> None:
        self._wake.set()

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for batch in list(self._batches):
            batch.cancel()
        self._outcomes.cancel()
        if self._http is not None:
            await self._http.close()

    async def _run(self) -> None:
        # A failed step (the database blinked) leaves the rows as they were: they are claimed again later.
        await run_steps(self.step, self._wake, poll_seconds=self.poll_seconds, log=log, what="webhook dispatcher")

    async def step(self) -> float:
        """Start posting one batch of due deliveries; returns how long to wait (unless nudged) before the next."""
        if len(self._batches) >= BATCHES_IN_FLIGHT:
            await asyncio.wait(set(self._batches), return_when=asyncio.FIRST_COMPLETED)
        box = SecretBox(self.context.settings)
        async with unit_of_work(self.context.sessionmaker) as session:
            jobs = await claim_jobs(session, box, limit=CLAIM_BATCH)
            due_at = None if jobs else await next_due_at(session)
        if jobs:
            batch = asyncio.create_task(self._post_batch(jobs))
            self._batches.add(batch)
            batch.add_done_callback(self._batch_done)
            return 0.0 if len(jobs) == CLAIM_BATCH else self.poll_seconds
        if due_at is None:
            return self.poll_seconds
        return min(self.poll_seconds, max(0.0, (due_at - utcnow()).total_seconds()))

    async def _post_batch(self, jobs: list[Job]) -> None:
        await asyncio.gather(*(self._deliver(job) for job in jobs))

    def _batch_done(self, batch: asyncio.Task[None]) -> None:
        self._batches.discard(batch)
        self._wake.set()  # a batch's tickets may have their next deliveries due now

    async def _deliver(self, job: Job) -> None:
        async with self._slots:
            outcome = await self._post(job)
        try:
            await self._outcomes.submit(outcome)
        except Exception:
            log.exception("webhook delivery %s: outcome not stored; it is sent again after its lease", job.delivery_id)

    async def _post(self, job: Job) -> Outcome:
        attempted_at, started = utcnow(), time.perf_counter()
        allow_private = bool(self.context.settings.allow_private_targets)
        try:
            check_literal(job.url, allow_private=allow_private)
            headers = signing.headers(job.secret, job.message_id, int(time.time()), job.body)
            async with self._client().post(job.url, data=job.body, headers=headers) as response:
                excerpt = (await response.content.read(2048)).decode("utf-8", errors="replace")
                status = response.status
        except DomainError as exc:  # refused: a private address
            return Outcome(job.delivery_id, attempted_at, None, _ms(started), error=exc.detail)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return Outcome(job.delivery_id, attempted_at, None, _ms(started), error=str(exc) or type(exc).__name__)
        return Outcome(job.delivery_id, attempted_at, status, _ms(started), excerpt=excerpt)

    def _client(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            allow_private = bool(self.context.settings.allow_private_targets)
            self._http = guarded_session(allow_private=allow_private, timeout=TIMEOUT_SECONDS)
        return self._http

    async def _record(self, outcomes: Sequence[Outcome]) -> None:
        async with unit_of_work(self.context.sessionmaker) as session:
            await record_outcomes(session, outcomes, RetrySchedule.from_settings(self.context.settings))


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
