"""The dispatcher of one connection: sends its pending messages through its engine, one at a time, in order.

The database is the queue. Nothing is held in memory between steps, so a restart (or a killed worker) only
delays a send: the message is still `pending`, with the WhatsApp id it was given before the first attempt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from zapdesk.db.base import utcnow
from zapdesk.db.events import EventSink
from zapdesk.db.uow import unit_of_work
from zapdesk.engine.base import Engine, EngineError, NotConnected
from zapdesk.media.store import MediaStore
from zapdesk.messages.models import MessageStatus
from zapdesk.metrics import recorder
from zapdesk.metrics.tally import Counter
from zapdesk.outbox.service import (
    Delivery,
    RetryPolicy,
    claim_next_delivery,
    mark_sent,
    next_attempt_at,
    record_failure,
)
from zapdesk.settings.service import OUTBOUND_MIN_INTERVAL_MS, get_setting

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Claimed:
    delivery: Delivery
    min_interval: float  # seconds


@dataclass(frozen=True, slots=True)
class _Idle:
    due_at: datetime | None  # when a message waiting for a retry becomes due, if any


class OutboxDispatcher:
    """Sends connection `connection_id`'s pending messages while `is_connected()` says the session is up.

    Woken by `nudge()` (a message was queued, the session connected), and looks by itself every
    `poll_seconds` in case a nudge was lost. Sends are spaced by the `outbound_min_interval_ms` setting
    (0 turns pacing off), read before each send so a change applies at once.
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
        policy: RetryPolicy | None = None,
        poll_seconds: float = 5.0,
        send_timeout: float = 60.0,
    ) -> None:
        self.connection_id = connection_id
        self.engine = engine
        self.sessionmaker = sessionmaker
        self.sink = sink
        self.media_store = media_store
        self.is_connected = is_connected
        self.policy = policy or RetryPolicy()
        self.poll_seconds = poll_seconds
        self.send_timeout = send_timeout
        self._wake = asyncio.Event()
        self._closing = False
        self._task: asyncio.Task[None] | None = None
        self._last_send: float | None = None  # monotonic time of the last attempt that reached the engine

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name=f"outbox-{self.connection_id}")

    def nudge(self) -> None:
        self._wake.set()

    async def close(self) -> None:
        """Stop sending; a message caught mid-send stays pending and is resent (with the same id) later."""
        self._closing = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run(self) -> None:
        # `asyncio.timeout`, never `wait_for`, below: on Python 3.11 `wait_for` can swallow a cancellation that
        # races its timeout, and `close()` would then wait forever. `_closing` guards against any other such leak.
        while not self._closing:
            self._wake.clear()
            try:
                wait = await self.step()
            except Exception:
                # The database or the engine blinked: the message is still pending; look again shortly.
                log.exception("outbox of connection %s: step failed", self.connection_id)
                wait = self.poll_seconds
            if wait > 0:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait):
                        await self._wake.wait()

    async def step(self) -> float:
        """Send at most one message; returns how long to wait (unless nudged) before the next step."""
        if not self.is_connected():
            return self.poll_seconds
        claimed = await self._claim()
        if isinstance(claimed, _Idle):
            if claimed.due_at is None:
                return self.poll_seconds
            return min(self.poll_seconds, max(0.0, (claimed.due_at - utcnow()).total_seconds()))
        await self._keep_pace(claimed.min_interval)
        return await self._send(claimed.delivery)

    async def _claim(self) -> _Claimed | _Idle:
        async with unit_of_work(self.sessionmaker, self.sink) as session:
            interval_ms = await get_setting(session, OUTBOUND_MIN_INTERVAL_MS)
            delivery = await claim_next_delivery(
                session,
                connection_id=self.connection_id,
                new_message_id=self.engine.new_message_id,
                media_store=self.media_store,
            )
            if delivery is not None:
                return _Claimed(delivery, interval_ms / 1000)
            return _Idle(await next_attempt_at(session, connection_id=self.connection_id))

    async def _keep_pace(self, min_interval: float) -> None:
        if self._last_send is None or min_interval <= 0:
            return
        remaining = self._last_send + min_interval - time.monotonic()
        if remaining > 0:
            await asyncio.sleep(remaining)

    async def _send(self, delivery: Delivery) -> float:
        """Hand one message to the engine and store the outcome; returns how long to wait before the next."""
        self._last_send = time.monotonic()
        try:
            async with asyncio.timeout(self.send_timeout):
                result = await self.engine.send(delivery.chat, delivery.outgoing)
        except NotConnected:
            # Not a failed attempt: the message waits, untouched, until the session is back.
            log.info(
                "outbox of connection %s: not connected; message %s waits", self.connection_id, delivery.message_id
            )
            return self.poll_seconds
        except EngineError as exc:
            await self._failed(delivery, str(exc) or "WhatsApp refused the message.", retryable=exc.retryable)
        except TimeoutError:
            reason = f"WhatsApp did not confirm the message within {self.send_timeout:g} seconds."
            await self._failed(delivery, reason, retryable=True)
        except Exception as exc:
            log.exception("outbox of connection %s: sending message %s failed", self.connection_id, delivery.message_id)
            await self._failed(delivery, f"Sending failed unexpectedly: {exc}", retryable=True)
        else:
            async with unit_of_work(self.sessionmaker, self.sink) as session:
                await mark_sent(session, message_id=delivery.message_id, result=result)
            recorder.count(Counter.MESSAGES_SENT)
        return 0.0

    async def _failed(self, delivery: Delivery, error: str, *, retryable: bool) -> None:
        async with unit_of_work(self.sessionmaker, self.sink) as session:
            message = await record_failure(
                session, message_id=delivery.message_id, error=error, retryable=retryable, policy=self.policy
            )
            gave_up = message is not None and message.status == MessageStatus.FAILED
        recorder.count(Counter.SEND_FAILURES)
        if gave_up:
            recorder.count(Counter.MESSAGES_FAILED)
