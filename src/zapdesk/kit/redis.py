"""Redis for our own use: clients with short timeouts (an outage answers fast), and listening on a channel for
as long as a process runs, through outages.

Messages on our channels only wake someone up early (the database is the truth), so one lost while Redis was
away costs a delay, never data; `on_subscribed` lets a listener look at once for what it missed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import NoReturn

from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from zapdesk.kit.cancelling import raise_if_cancelled
from zapdesk.kit.clock import Clock
from zapdesk.kit.retry import Backoff, log_retries, retry

log = logging.getLogger(__name__)

RESUBSCRIBE_BACKOFF = Backoff(first=0.5, cap=10.0)
CONNECT_TIMEOUT_SECONDS = 1.0
COMMAND_TIMEOUT_SECONDS = 2.0
LISTEN_TURN_SECONDS = 1.0


def command_client(url: str) -> Redis:
    """For request/response commands; a blocking subscription needs `subscriber_client` instead."""
    return Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS, socket_timeout=COMMAND_TIMEOUT_SECONDS)


def subscriber_client(url: str) -> Redis:
    # No read timeout (a quiet channel is normal); keepalives and health checks notice a dead server instead.
    return Redis.from_url(
        url, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS, socket_keepalive=True, health_check_interval=15
    )


async def listen_forever(
    redis: Redis,
    channel: str,
    on_message: Callable[[bytes | str], Awaitable[None]],
    *,
    clock: Clock,
    on_subscribed: Callable[[], Awaitable[None]] | None = None,
) -> NoReturn:
    """Hand each message's data on `channel` to `on_message`, until cancelled; subscribe again with backoff
    whenever the subscription is lost."""
    while True:
        raise_if_cancelled()
        pubsub = await retry(
            lambda: _subscribe(redis, channel),
            backoff=RESUBSCRIBE_BACKOFF,
            clock=clock,
            when=lambda _error: True,
            on_retry=log_retries(log, f"subscribing to {channel}"),
        )
        try:
            if on_subscribed is not None:
                await on_subscribed()
            while True:
                # A bounded wait, not `listen()`: a cancellation redis-py loses while it reads must still be
                # noticed, within a second.
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=LISTEN_TURN_SECONDS)
                raise_if_cancelled()
                if message is not None and message.get("type") == "message":
                    await on_message(message["data"])
        except Exception as exc:  # Redis went away: the retry above subscribes again
            raise_if_cancelled()
            log.warning("lost the subscription to %s (%s)", channel, type(exc).__name__)
        finally:
            await _close(pubsub)


async def _subscribe(redis: Redis, channel: str) -> PubSub:
    pubsub = redis.pubsub(ignore_subscribe_messages=True)
    try:
        await pubsub.subscribe(channel)
    except BaseException:
        await _close(pubsub)
        raise
    return pubsub


async def _close(pubsub: PubSub) -> None:
    try:
        # redis-py before 8.2 leaves `aclose` unannotated: called through a typed name, mypy passes on every version.
        close: Callable[[], Awaitable[None]] = pubsub.aclose
        await close()
    except Exception as exc:  # a connection already broken cannot be closed politely
        log.debug("closing a lost subscription failed (%s)", type(exc).__name__)
