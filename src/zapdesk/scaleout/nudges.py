"""Scale-out nudges: API processes publish on `{REDIS_PREFIX}:nudges`, every worker listens.

A nudge only saves a worker the wait until its next heartbeat (it reads the rows on every beat anyway), so a
nudge lost to a Redis outage delays a command or a send by at most one heartbeat; nothing is lost.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import NoReturn

from redis.asyncio import Redis

from zapdesk.config import Settings
from zapdesk.kit.clock import SYSTEM_CLOCK, Clock
from zapdesk.kit.redis import command_client, listen_forever
from zapdesk.worker.nudges import Nudge

log = logging.getLogger(__name__)


def nudges_channel(settings: Settings) -> str:
    return f"{settings.redis_prefix}:nudges"


class RedisNudges:
    """The API side: `wake` is the `Wake` of `zapdesk.worker.nudges.nudging_sink`."""

    def __init__(self, settings: Settings) -> None:
        self.redis = command_client(settings.redis_url)
        self.channel = nudges_channel(settings)

    async def wake(self, nudge: Nudge) -> None:
        # Runs after the request's commit: a Redis failure must not turn the saved change into an error.
        try:
            await self.redis.publish(self.channel, json.dumps(nudge.to_wire()))
        except Exception as exc:
            log.warning("could not nudge the workers (%s); they look at their next heartbeat", type(exc).__name__)

    async def close(self) -> None:
        await self.redis.aclose()


async def listen_for_nudges(
    redis: Redis, channel: str, on_nudge: Callable[[Nudge], None], *, clock: Clock = SYSTEM_CLOCK
) -> NoReturn:
    """The worker side, until cancelled; after (re)subscribing it looks at once for what it may have missed."""

    async def looked() -> None:
        on_nudge(Nudge(automation=True, everything=True))

    async def heard(data: bytes | str) -> None:
        nudge = _parse(data)
        if nudge is not None:
            on_nudge(nudge)

    await listen_forever(redis, channel, heard, clock=clock, on_subscribed=looked)


def _parse(data: bytes | str) -> Nudge | None:
    try:
        return Nudge.from_wire(json.loads(data))
    except (ValueError, KeyError, TypeError, AttributeError):
        log.warning("ignoring a malformed nudge")
        return None
