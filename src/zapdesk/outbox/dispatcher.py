"""The dispatcher of one connection: sends its pending messages through its engine, in order per chat.

The database is the queue. Nothing is held in memory between steps, so a restart (or a killed worker) only
delays a send: the message is still `pending`, with the WhatsApp id it was given before the first attempt.

Engines of the unofficial protocol send one message at a time, spaced by the pacing setting. An engine that
`SendsInParallel` (the Cloud API) sends to several chats at once, in as many lanes as it allows; when the network
says `Throttled`, the message waits without losing an attempt and the dispatcher holds back and halves its lanes,
then widens them again as sends succeed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from zapdesk.db.events import EventSink
from zapdesk.db.uow import unit_of_work
from zapdesk.engine.base import Engine, EngineError, NotConnected, SendsInParallel, Throttled
from zapdesk.engine.events import SendResult
from zapdesk.kit.clock import SYSTEM_CLOCK, Clock
from zapdesk.kit.group_commit import GroupCommit
from zapdesk.kit.loops import StepLoop
from zapdesk.media.store import MediaStore
from zapdesk.messages.models import ActionKind, MessageStatus
from zapdesk.metrics import recorder
from zapdesk.metrics.tally import Counter
from zapdesk.outbox.avatars import refresh_due_avatars
from zapdesk.outbox.service import (
    ActionDelivery,
    Delivery,
    RetryPolicy,
    action_done,
    action_failed,
    claim_actions,
    claim_deliveries,
    hold_unconfirmed,
    mark_sent_many,
    next_attempt_at,
    record_failure,
    record_throttled,
)
from zapdesk.settings.service import OUTBOUND_MIN_INTERVAL_MS, get_setting

log = logging.getLogger(__name__)

# Steps come one per message sent: the side work (profile pictures) looks at most this often.
SIDE_WORK_SECONDS = 2.0


# After a send is stored as sent, with its id: apply what WhatsApp said about that id before (early receipts).
AfterSent = Callable[[AsyncSession, int, str], Awaitable[None]]

# Outcomes of sends that returned after their dispatcher stopped waiting, still being stored.
_late_outcomes: set[asyncio.Task[float]] = set()


@dataclass(frozen=True, slots=True)
class _Claimed:
    deliveries: list[Delivery]
    min_interval: float  # seconds


@dataclass(frozen=True, slots=True)
class _Idle:
    due_at: datetime | None  # when a message waiting for a retry becomes due, if any


class OutboxDispatcher(StepLoop):
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
        confirm_wait: float = 600.0,
        after_sent: AfterSent | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        super().__init__(name=f"outbox of connection {connection_id}", poll_seconds=poll_seconds, clock=clock)
        self.connection_id = connection_id
        self.engine = engine
        self.sessionmaker = sessionmaker
        self.sink = sink
        self.media_store = media_store
        self.is_connected = is_connected
        self.policy = policy or RetryPolicy()
        self.send_timeout = send_timeout
        # How long an unconfirmed send holds its message back before it is tried again (it may be a duplicate).
        self.confirm_wait = confirm_wait
        self.after_sent = after_sent
        self._last_send: float | None = None  # the clock's monotonic time of the last attempt that reached the engine
        self._max_lanes = engine.parallel_sends if isinstance(engine, SendsInParallel) else 1
        self._lanes = self._max_lanes
        self._successes = 0  # since the lanes last changed
        self._held_until = 0.0  # the clock's monotonic time: the network asked the connection to wait until then
        self._in_flight: dict[int, asyncio.Task[float]] = {}
        self._late_sends: dict[asyncio.Task[float], asyncio.Future[SendResult]] = {}  # outcome stored → its send
        # Sends that come back together are marked sent in one transaction.
        self._outcomes: GroupCommit[tuple[int, SendResult]] = GroupCommit(self._mark_sent)
        self._actions_checked_at = float("-inf")  # the clock's monotonic time; a nudge asks for a look now
        self._next_side_work = 0.0  # the clock's monotonic time for the next round of profile pictures

    def nudge(self) -> None:
        self._actions_checked_at = float("-inf")
        super().nudge()

    async def close(self) -> None:
        """Stop sending; a message caught mid-send stays pending and is resent (with the same id) later, unless
        it is one Go may still be sending (held back until its outcome comes)."""
        await super().close()
        self._outcomes.cancel()
        sends = list(self._in_flight.values())
        for send in sends:
            send.cancel()
        if sends:
            await asyncio.wait(sends)
        # Sends that returned just as the loop stopped are being stored: closed means their writes are done too.
        returned = [task for task, sending in self._late_sends.items() if sending.done()]
        if returned:
            await asyncio.wait(returned, timeout=self.send_timeout)

    async def step(self) -> float:
        """Start sending what is due (one message, or one per free lane); returns how long to wait (unless
        nudged) before the next step."""
        if not self.is_connected():
            return self.poll_seconds
        held = self._held_until - self.clock.monotonic()
        if held > 0:
            return held
        if self.clock.monotonic() - self._actions_checked_at >= self.poll_seconds:
            # Reactions and read marks are few: looked for when nudged, else once per poll, not per send.
            self._actions_checked_at = self.clock.monotonic()
            await self._tell_actions()
        await self._side_work()
        if self._max_lanes > 1:
            return await self._fill_lanes()
        claimed = await self._claim(1)
        if isinstance(claimed, _Idle):
            return self._idle_wait(claimed)
        await self._keep_pace(claimed.min_interval)
        return await self._send(claimed.deliveries[0])

    async def _fill_lanes(self) -> float:
        free = self._lanes - len(self._in_flight)
        if free <= 0 or (self._in_flight and free < max(1, self._lanes // 4)):
            # Busy: a finished send wakes the loop. Lanes are refilled a few at a time, one claim for several.
            return self.poll_seconds
        claimed = await self._claim(free)
        if isinstance(claimed, _Idle):
            return self.poll_seconds if self._in_flight else self._idle_wait(claimed)
        for delivery in claimed.deliveries:
            self._start_send(delivery)
        # Lanes left free: nothing else is due now, so look again when a send finishes (or is nudged).
        return 0.0 if len(claimed.deliveries) == free else self.poll_seconds

    def _start_send(self, delivery: Delivery) -> None:
        task = asyncio.create_task(self._send(delivery), name=f"outbox-send-{delivery.message_id}")
        self._in_flight[delivery.message_id] = task

        def finished(task: asyncio.Task[float]) -> None:
            self._in_flight.pop(delivery.message_id, None)
            self._wake.set()
            if not task.cancelled() and task.exception() is not None:
                # The outcome could not be stored: the message is still pending and is sent again later.
                log.error(
                    "outbox of connection %s: send of message %s",
                    self.connection_id,
                    delivery.message_id,
                    exc_info=task.exception(),
                )

        task.add_done_callback(finished)

    def _idle_wait(self, idle: _Idle) -> float:
        if idle.due_at is None:
            return self.poll_seconds
        return min(self.poll_seconds, max(0.0, (idle.due_at - self.clock.now()).total_seconds()))

    async def _side_work(self) -> None:
        """What the session does besides sending, at most every `SIDE_WORK_SECONDS`: profile pictures."""
        if self.clock.monotonic() < self._next_side_work:
            return
        self._next_side_work = self.clock.monotonic() + SIDE_WORK_SECONDS
        await refresh_due_avatars(
            self.engine,
            self.sessionmaker,
            self.sink,
            self.media_store,
            connection_id=self.connection_id,
            engine_timeout=self.send_timeout,
        )

    async def _claim(self, limit: int) -> _Claimed | _Idle:
        async with unit_of_work(self.sessionmaker, self.sink) as session:
            interval_ms = 0 if self._max_lanes > 1 else await get_setting(session, OUTBOUND_MIN_INTERVAL_MS)
            deliveries = await claim_deliveries(
                session,
                connection_id=self.connection_id,
                new_message_id=self.engine.new_message_id,
                media_store=self.media_store,
                limit=limit,
                in_flight=list(self._in_flight),
                now=self.clock.now(),
            )
            if deliveries:
                return _Claimed(deliveries, interval_ms / 1000)
            return _Idle(await next_attempt_at(session, connection_id=self.connection_id))

    async def _tell_actions(self) -> None:
        """Reactions, read marks, edits, deletions and typing due now, one after the other (few, never paced)."""
        async with unit_of_work(self.sessionmaker, self.sink) as session:
            actions = await claim_actions(session, connection_id=self.connection_id, now=self.clock.now())
        for action in actions:
            try:
                async with asyncio.timeout(self.send_timeout):
                    await self._tell(action)
            except (EngineError, TimeoutError) as exc:
                retryable = not isinstance(exc, EngineError) or exc.retryable
                async with unit_of_work(self.sessionmaker, self.sink) as session:
                    await action_failed(
                        session,
                        action_id=action.action_id,
                        error=str(exc),
                        retryable=retryable,
                        policy=self.policy,
                        now=self.clock.now(),
                    )
                continue
            async with unit_of_work(self.sessionmaker, self.sink) as session:
                await action_done(session, action_id=action.action_id)

    async def _tell(self, action: ActionDelivery) -> None:
        if action.kind == ActionKind.REACTION:
            await self.engine.react(
                action.chat,
                action.external_id,
                action.emoji,
                target_from_me=action.target_from_me,
                target_sender=action.author,
            )
        elif action.kind == ActionKind.EDIT:
            await self.engine.edit(action.chat, action.external_id, action.text)
        elif action.kind == ActionKind.REVOKE:
            await self.engine.revoke(action.chat, action.external_id)
        elif action.kind in (ActionKind.TYPING, ActionKind.PAUSED):
            await self.engine.set_typing(action.chat, action.kind == ActionKind.TYPING)
        else:
            await self.engine.mark_read(action.chat, [action.external_id], sender=action.author)

    async def _keep_pace(self, min_interval: float) -> None:
        if self._last_send is None or min_interval <= 0:
            return
        remaining = self._last_send + min_interval - self.clock.monotonic()
        if remaining > 0:
            await self.clock.sleep(remaining)

    async def _send(self, delivery: Delivery) -> float:
        """Hand one message to the engine and store the outcome; returns how long to wait before the next.

        The send is never abandoned: neonize cannot send with the id we chose, so a retry while Go is still
        sending would reach the customer twice. A send that takes longer than `send_timeout` (or outlives this
        dispatcher) keeps its message pending and held back; its outcome is stored whenever it comes.
        """
        self._last_send = self.clock.monotonic()
        sending = asyncio.ensure_future(self.engine.send(delivery.chat, delivery.outgoing))
        try:
            finished, _ = await asyncio.wait({sending}, timeout=self.send_timeout)
        except asyncio.CancelledError:
            # The session is closing: whoever sends next must not send this one again before Go has answered.
            self._store_outcome_later(delivery, sending)
            if not sending.done():
                await self._unconfirmed(delivery)
            raise
        if not finished:
            await self._unconfirmed(delivery)
            self._store_outcome_later(delivery, sending)
            return 0.0
        return await self._store_outcome(delivery, sending)

    async def _store_outcome(
        self, delivery: Delivery, sending: asyncio.Future[SendResult], *, late: bool = False
    ) -> float:
        try:
            result = sending.result()
        except Throttled as exc:
            await self._throttled(delivery, exc)
            return 0.0
        except NotConnected:
            # Not a failed attempt: the message waits, untouched, until the session is back.
            log.info(
                "outbox of connection %s: not connected; message %s waits", self.connection_id, delivery.message_id
            )
            return self.poll_seconds
        except EngineError as exc:
            await self._failed(delivery, str(exc) or "WhatsApp refused the message.", retryable=exc.retryable)
        except Exception as exc:
            log.exception("outbox of connection %s: sending message %s failed", self.connection_id, delivery.message_id)
            await self._failed(delivery, f"Sending failed unexpectedly: {exc}", retryable=True)
        else:
            if late:
                await self._mark_sent([(delivery.message_id, result)])  # this dispatcher may be gone
            else:
                await self._outcomes.submit((delivery.message_id, result))
            recorder.count(Counter.MESSAGES_SENT)
            self._widen()
        return 0.0

    async def _mark_sent(self, outcomes: Sequence[tuple[int, SendResult]]) -> None:
        async with unit_of_work(self.sessionmaker, self.sink) as session:
            sent = await mark_sent_many(session, outcomes)
            if self.after_sent is not None:
                for message in sent:
                    await self.after_sent(session, self.connection_id, message.external_id or "")

    async def _throttled(self, delivery: Delivery, exc: Throttled) -> None:
        log.info(
            "outbox of connection %s: throttled (%s); message %s waits", self.connection_id, exc, delivery.message_id
        )
        if exc.whole_connection:
            self._held_until = max(self._held_until, self.clock.monotonic() + exc.retry_after)
            self._lanes = max(1, self._lanes // 2)
            self._successes = 0
        async with unit_of_work(self.sessionmaker, self.sink) as session:
            await record_throttled(
                session,
                message_id=delivery.message_id,
                reason=str(exc),
                retry_after=exc.retry_after,
                now=self.clock.now(),
            )
        recorder.count(Counter.SEND_FAILURES)

    def _widen(self) -> None:
        """Additive increase after a slowdown: one more lane for every few rounds of sends that went through."""
        if self._lanes >= self._max_lanes:
            return
        self._successes += 1
        if self._successes >= 4 * self._lanes:
            self._lanes += 1
            self._successes = 0

    async def _unconfirmed(self, delivery: Delivery) -> None:
        log.warning(
            "outbox of connection %s: message %s not confirmed within %g s; waiting for WhatsApp's answer",
            self.connection_id,
            delivery.message_id,
            self.send_timeout,
        )
        async with unit_of_work(self.sessionmaker, self.sink) as session:
            await hold_unconfirmed(
                session, message_id=delivery.message_id, until=self.clock.now() + timedelta(seconds=self.confirm_wait)
            )

    def _store_outcome_later(self, delivery: Delivery, sending: asyncio.Future[SendResult]) -> None:
        """When the send returns after all: its outcome is stored then, even if this dispatcher is gone."""

        async def store_when_returned() -> float:
            await asyncio.wait({sending})
            return await self._store_outcome(delivery, sending, late=True)

        task = asyncio.ensure_future(store_when_returned())
        _late_outcomes.add(task)
        task.add_done_callback(_late_outcomes.discard)
        self._late_sends[task] = sending
        task.add_done_callback(self._late_sends.pop)

    async def _failed(self, delivery: Delivery, error: str, *, retryable: bool) -> None:
        async with unit_of_work(self.sessionmaker, self.sink) as session:
            message = await record_failure(
                session,
                message_id=delivery.message_id,
                error=error,
                retryable=retryable,
                policy=self.policy,
                now=self.clock.now(),
            )
            gave_up = message is not None and message.status == MessageStatus.FAILED
        recorder.count(Counter.SEND_FAILURES)
        if gave_up:
            recorder.count(Counter.MESSAGES_FAILED)
