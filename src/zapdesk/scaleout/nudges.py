"""Scale-out nudges: API processes publish on `{REDIS_PREFIX}:nudges`, every worker listens.

A nudge only saves a worker the wait until its next heartbeat (it reads the rows on every beat anyway), so a
nudge lost to a Redis outage delays a command or a send by at most one heartbeat; nothing is lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis

from zapdesk.config import Settings
from zapdesk.scaleout.redis import command_client
from zapdesk.worker.nudges import Nudge

log = logging.getLogger(__name__)

RESUBSCRIBE_MAX_SECONDS = 10.0


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
            body = {"outbox": nudge.outbox, "automation": nudge.automation}
            await self.redis.publish(self.channel, json.dumps(body))
        except Exception as exc:
            log.warning("could not nudge the workers (%s); they look at their next heartbeat", type(exc).__name__)

    async def close(self) -> None:
        await self.redis.aclose()


async def listen_for_nudges(redis: Redis, channel: str, on_nudge: Callable[[Nudge], None]) -> None:
    """The worker side, until cancelled; re-subscribes after an outage, then looks at once for what it missed."""
    delay = 0.5
    while True:
        try:
            async with redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                await pubsub.subscribe(channel)
                on_nudge(Nudge(outbox=True, automation=True))
                delay = 0.5
                async for message in pubsub.listen():
                    nudge = _parse(message)
                    if nudge is not None:
                        on_nudge(nudge)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("nudge channel lost (%s); subscribing again in %.1f s", type(exc).__name__, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, RESUBSCRIBE_MAX_SECONDS)


def _parse(message: dict[str, Any]) -> Nudge | None:
    if message.get("type") != "message":
        return None
    try:
        body = json.loads(message["data"])
        return Nudge(outbox=bool(body.get("outbox")), automation=bool(body.get("automation")))
    except (ValueError, KeyError, TypeError, AttributeError):
        log.warning("ignoring a malformed nudge")
        return None
