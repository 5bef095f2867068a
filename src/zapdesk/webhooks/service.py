"""Outgoing webhook rules: endpoints (their secret encrypted), the durable delivery queue fed after each commit,
which deliveries go next (the oldest of each ticket, so a ticket's events keep their order), what an attempt's
answer does (delivered, retried with exponential backoff for a day, or failed), and the delivery log.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import ColumnElement, Table, bindparam, exists, insert, literal_column, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from zapdesk.config import Settings
from zapdesk.db.base import utcnow
from zapdesk.db.events import EventSink, Published
from zapdesk.db.uow import reading, unit_of_work
from zapdesk.errors import NotFound
from zapdesk.kit.addresses import resolve_checked
from zapdesk.kit.retry import Backoff
from zapdesk.kit.secrets import SecretBox
from zapdesk.webhooks.events import WebhookEvent, webhook_events
from zapdesk.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from zapdesk.webhooks.schemas import EndpointCreate, EndpointUpdate
from zapdesk.webhooks.signing import new_secret

log = logging.getLogger(__name__)

# A claimed delivery is someone's for this long: if its process dies mid-attempt, another one takes it after.
CLAIM_LEASE = timedelta(minutes=2)
EXCERPT_LENGTH = 500
_PENDING: ColumnElement[str] = literal_column("'pending'")


# Five seconds or so after the first failure, doubling up to an hour (the settings' defaults).
DEFAULT_BACKOFF = Backoff(first=5.0, cap=3600.0)


@dataclass(frozen=True, slots=True)
class RetrySchedule:
    """The kit's backoff (exponential, with jitter) between attempts, for `window` after the event."""

    backoff: Backoff = DEFAULT_BACKOFF
    window: timedelta = timedelta(hours=24)

    @classmethod
    def from_settings(cls, settings: Settings) -> RetrySchedule:
        return cls(
            backoff=Backoff(first=settings.webhook_retry_base_seconds, cap=settings.webhook_retry_cap_seconds),
            window=timedelta(seconds=settings.webhook_retry_window_seconds),
        )

    def delay(self, attempts: int) -> timedelta:
        return timedelta(seconds=self.backoff.delay(attempts))


# ---- endpoints ----------------------------------------------------------------------------------------------


async def create_endpoint(
    session: AsyncSession, settings: Settings, data: EndpointCreate
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret (given, or made now), which only this answer shows."""
    await resolve_checked(data.url, allow_private=bool(settings.allow_private_targets))
    secret = data.secret or new_secret()
    endpoint = WebhookEndpoint(
        url=data.url,
        description=data.description,
        events=sorted(set(data.events)),
        secret=SecretBox(settings).encrypt(secret),
        enabled=True,
    )
    session.add(endpoint)
    await session.flush()
    return endpoint, secret


async def list_endpoints(session: AsyncSession) -> list[WebhookEndpoint]:
    return list(await session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))


async def get_endpoint(session: AsyncSession, endpoint_id: int) -> WebhookEndpoint:
    endpoint = await session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound("There is no webhook endpoint with this id.", code="webhook_endpoint_not_found")
    return endpoint


async def update_endpoint(
    session: AsyncSession, settings: Settings, endpoint_id: int, data: EndpointUpdate
) -> tuple[WebhookEndpoint, str | None]:
    """Change an endpoint; with `rotate_secret`, a new secret, shown in this answer only."""
    endpoint = await get_endpoint(session, endpoint_id)
    if data.url is not None and data.url != endpoint.url:
        await resolve_checked(data.url, allow_private=bool(settings.allow_private_targets))
        endpoint.url = data.url
    if data.events is not None:
        endpoint.events = sorted(set(data.events))
    if data.description is not None:
        endpoint.description = data.description
    if data.enabled is not None:
        endpoint.enabled = data.enabled
    secret = None
    if data.rotate_secret:
        secret = new_secret()
        endpoint.secret = SecretBox(settings).encrypt(secret)
    await session.flush()
    return endpoint, secret


async def delete_endpoint(session: AsyncSession, endpoint_id: int) -> None:
    await session.delete(await get_endpoint(session, endpoint_id))


# ---- the queue: fed after commit ------------------------------------------------------------------------------


class WebhookFeeder:
    """Queues one delivery per subscribed endpoint for each webhook event a transaction committed.

    An event sink, called with what was committed (so nothing rolled back is ever delivered); `on_queued` wakes a
    dispatcher of this process. The endpoints are read each time: a few rows, and an endpoint registered a moment
    ago gets the very next event, whichever process commits it.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        on_queued: Callable[[], None] | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.on_queued = on_queued

    async def __call__(self, events: Sequence[Published]) -> None:
        found = webhook_events(events)
        if not found:
            return
        try:
            # Most desks subscribe to nothing: learning that takes no write lock (the next commit waits for none).
            async with reading(self.sessionmaker) as session:
                endpoints = await enabled_endpoints(session)
            if not any(event.type in names for event in found for _, names in endpoints):
                return
            async with unit_of_work(self.sessionmaker) as session:
                queued = await queue_deliveries(session, found, RetrySchedule.from_settings(self.settings))
        except Exception:
            # The events are committed already; losing their webhooks is logged, never raised at the committer.
            log.exception("%d webhook events could not be queued", len(found))
            return
        if queued and self.on_queued is not None:
            self.on_queued()


class FeedingSink:
    """`sink`, then `feeder`, for every committed batch: the feeder's transaction runs while the committer goes
    on (a worker answers WhatsApp and starts its next ingest batch meanwhile: three round trips fewer before
    each verdict), one batch after another, in the order they were committed. At most one batch waits behind
    the one being fed; more, and the committer waits, as it did for every batch before. `flush` before stopping.
    """

    def __init__(self, sink: EventSink, feeder: WebhookFeeder) -> None:
        self._sink = sink
        self._feeder = feeder
        self._queue: asyncio.Queue[Sequence[Published]] = asyncio.Queue(maxsize=1)
        self._feeding: asyncio.Task[None] | None = None

    async def __call__(self, events: Sequence[Published]) -> None:
        await self._sink(events)
        if not webhook_events(events):
            return
        await self._queue.put(events)
        if self._feeding is None or self._feeding.done():
            self._feeding = asyncio.create_task(self._feed(), name="webhook-feeder")

    async def _feed(self) -> None:
        while not self._queue.empty():
            events = self._queue.get_nowait()
            try:
                await self._feeder(events)  # never raises: it logs what it could not queue
            finally:
                self._queue.task_done()

    async def flush(self) -> None:
        """Until every batch handed over so far is fed."""
        await self._queue.join()


async def enabled_endpoints(session: AsyncSession) -> list[tuple[int, set[str]]]:
    """Each enabled endpoint's id and the event types it subscribes to."""
    query = select(WebhookEndpoint.id, WebhookEndpoint.events).where(WebhookEndpoint.enabled.is_(True))
    return [(endpoint_id, set(names)) for endpoint_id, names in (await session.execute(query)).all()]


async def queue_deliveries(session: AsyncSession, events: Sequence[WebhookEvent], schedule: RetrySchedule) -> int:
    """Insert the deliveries `events` (`WebhookEvent`s) call for; returns how many."""
    endpoints = await enabled_endpoints(session)
    if not endpoints:
        return 0
    now = utcnow()
    rows = [
        {
            "endpoint_id": endpoint_id,
            "message_id": "msg_" + secrets.token_hex(12),
            "event": event.type,
            "ordering_key": event.ordering_key,
            "payload": {"type": event.type, "timestamp": now.isoformat(), "data": event.data},
            "status": DeliveryStatus.PENDING,
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now,
            "retry_until": now + schedule.window,
        }
        for event in events
        for endpoint_id, names in endpoints
        if event.type in names
    ]
    if rows:
        await session.execute(WebhookDelivery.__table__.insert(), rows)  # type: ignore[attr-defined]
    return len(rows)


# ---- sending ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Job:
    """A claimed delivery, ready to post."""

    delivery_id: int
    url: str
    secret: str
    message_id: str
    body: bytes


@dataclass(frozen=True, slots=True)
class Outcome:
    delivery_id: int
    attempted_at: datetime
    status_code: int | None
    latency_ms: int
    excerpt: str = ""
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _due(now: datetime) -> ColumnElement[bool]:
    """Pending, due, and first of its ticket (or contact, or connection) for its endpoint."""
    earlier = aliased(WebhookDelivery)
    ahead = exists().where(
        earlier.endpoint_id == WebhookDelivery.endpoint_id,
        earlier.ordering_key == WebhookDelivery.ordering_key,
        earlier.status == _PENDING,
        earlier.id < WebhookDelivery.id,
    )
    return (WebhookDelivery.status == _PENDING) & (WebhookDelivery.next_attempt_at <= now) & ~ahead


async def claim_jobs(session: AsyncSession, box: SecretBox, *, limit: int, now: datetime | None = None) -> list[Job]:
    """Up to `limit` due deliveries, leased to the caller for `CLAIM_LEASE` (skipping those another process holds)."""
    now = now or utcnow()
    query = (
        select(WebhookDelivery, WebhookEndpoint)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(_due(now), WebhookEndpoint.enabled.is_(True))
        .order_by(WebhookDelivery.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=WebhookDelivery, skip_locked=True)
    claimed = (await session.execute(query)).all()
    if not claimed:
        return []
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_([delivery.id for delivery, _ in claimed]))
        .values(next_attempt_at=now + CLAIM_LEASE)
    )
    secrets_by_endpoint: dict[int, str] = {}
    jobs = []
    for delivery, endpoint in claimed:
        if endpoint.id not in secrets_by_endpoint:
            secrets_by_endpoint[endpoint.id] = box.decrypt(endpoint.secret)
        body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
        jobs.append(Job(delivery.id, endpoint.url, secrets_by_endpoint[endpoint.id], delivery.message_id, body))
    return jobs


async def next_due_at(session: AsyncSession) -> datetime | None:
    query = select(WebhookDelivery.next_attempt_at).where(WebhookDelivery.status == _PENDING)
    return await session.scalar(query.order_by(WebhookDelivery.next_attempt_at).limit(1))


async def record_outcomes(session: AsyncSession, outcomes: Sequence[Outcome], schedule: RetrySchedule) -> None:
    """Log each attempt, and mark its delivery delivered, due again after a backoff, or failed after the window.

    Bulk statements, not one object per row: a busy endpoint's answers come back by the hundred.
    """
    attempts = [
        {
            "delivery_id": outcome.delivery_id,
            "attempted_at": outcome.attempted_at,
            "status_code": outcome.status_code,
            "latency_ms": outcome.latency_ms,
            "response_excerpt": outcome.excerpt[:EXCERPT_LENGTH],
            "error": outcome.error,
        }
        for outcome in outcomes
    ]
    await session.execute(insert(WebhookAttempt), attempts)
    ids = [outcome.delivery_id for outcome in outcomes]
    query = select(WebhookDelivery.id, WebhookDelivery.attempts, WebhookDelivery.retry_until).where(
        WebhookDelivery.id.in_(ids), WebhookDelivery.status == _PENDING
    )
    pending = {row.id: row for row in (await session.execute(query)).all()}
    changes = []
    for outcome in outcomes:
        row = pending.get(outcome.delivery_id)
        if row is None:
            continue
        tries = row.attempts + 1
        change = {"delivery": row.id, "tries": tries, "status": DeliveryStatus.PENDING.value, "delivered": None}
        change["next"] = outcome.attempted_at + schedule.delay(tries)
        if outcome.delivered:
            change.update(status=DeliveryStatus.DELIVERED.value, delivered=outcome.attempted_at)
        elif change["next"] > row.retry_until:
            change["status"] = DeliveryStatus.FAILED.value
        changes.append(change)
    if changes:
        table = cast(Table, WebhookDelivery.__table__)
        await session.execute(
            update(table)
            .where(table.c.id == bindparam("delivery"))
            .values(
                attempts=bindparam("tries"),
                status=bindparam("status"),
                next_attempt_at=bindparam("next"),
                delivered_at=bindparam("delivered"),
            ),
            changes,
        )


# ---- the delivery log ---------------------------------------------------------------------------------------


async def list_deliveries(
    session: AsyncSession, endpoint_id: int, *, limit: int
) -> list[tuple[WebhookDelivery, list[WebhookAttempt]]]:
    """The endpoint's newest deliveries, each with its attempts (oldest first)."""
    await get_endpoint(session, endpoint_id)
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )
    deliveries = list(await session.scalars(query))
    attempts: dict[int, list[WebhookAttempt]] = {delivery.id: [] for delivery in deliveries}
    if deliveries:
        rows = await session.scalars(
            select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(attempts)).order_by(WebhookAttempt.id)
        )
        for attempt in rows:
            attempts[attempt.delivery_id].append(attempt)
    return [(delivery, attempts[delivery.id]) for delivery in deliveries]


async def resend(session: AsyncSession, delivery_id: int, schedule: RetrySchedule) -> WebhookDelivery:
    """ "Reenviar": the delivery goes out again now (same `webhook-id`), with a fresh window of retries."""
    delivery = await session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise NotFound("There is no webhook delivery with this id.", code="webhook_delivery_not_found")
    now = utcnow()
    delivery.status, delivery.next_attempt_at, delivery.retry_until = DeliveryStatus.PENDING, now, now + schedule.window
    delivery.delivered_at = None
    await session.flush()
    return delivery
