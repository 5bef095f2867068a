"""Sliding-window rate limits (sign-in attempts per email and per IP), in memory or shared through Redis."""

from __future__ import annotations

import logging
import math
import secrets
from collections import deque
from collections.abc import Sequence
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from zapdesk.config import Settings
from zapdesk.errors import TooManyRequests
from zapdesk.kit.clock import SYSTEM_CLOCK, Clock

log = logging.getLogger(__name__)


class RateLimiter(Protocol):
    async def hit(self, keys: Sequence[str], *, limit: int, window_seconds: float) -> float | None:
        """Count one attempt under every key, unless a key already has `limit` attempts in the last window.

        Returns None when the attempt is allowed, else the seconds until it would be (nothing is counted then).
        """
        ...

    async def close(self) -> None: ...


class MemoryRateLimiter:
    """For one process (the embedded `zapdesk run`): attempts are timestamps in a deque per key."""

    # Past this many keys, forget the ones whose attempts all left the window (a spray of emails or IPs).
    SWEEP_ABOVE_KEYS = 10_000

    def __init__(self, clock: Clock = SYSTEM_CLOCK) -> None:
        self._clock = clock
        self._attempts: dict[str, deque[float]] = {}

    async def hit(self, keys: Sequence[str], *, limit: int, window_seconds: float) -> float | None:
        now = self._clock.monotonic()
        if len(self._attempts) > self.SWEEP_ABOVE_KEYS:
            self._sweep(now - window_seconds)
        wait = 0.0
        for key in keys:
            attempts = self._attempts.setdefault(key, deque())
            while attempts and attempts[0] <= now - window_seconds:
                attempts.popleft()
            if len(attempts) >= limit:
                # The attempt that must leave the window before one more fits.
                wait = max(wait, attempts[len(attempts) - limit] + window_seconds - now)
        if wait > 0:
            return wait
        for key in keys:
            self._attempts[key].append(now)
        return None

    def _sweep(self, horizon: float) -> None:
        for key in [key for key, attempts in self._attempts.items() if not attempts or attempts[-1] <= horizon]:
            del self._attempts[key]

    async def close(self) -> None:
        self._attempts.clear()


# Same algorithm as MemoryRateLimiter, atomic in Redis: a sorted set of attempt times per key.
_HIT_SCRIPT = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local wait = 0
for _, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count >= limit then
    local oldest = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
    wait = math.max(wait, tonumber(oldest[2]) + window - now)
  end
end
if wait > 0 then return tostring(wait) end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, math.ceil(window))
end
return false
"""


class RedisRateLimiter:
    """For several API processes: they share the counts through Redis.

    While Redis is unreachable each process counts in its own memory: sign-in keeps working and stays limited.
    """

    def __init__(self, redis: Redis, *, prefix: str = "zapdesk:ratelimit:", clock: Clock = SYSTEM_CLOCK) -> None:
        self._redis = redis
        self._prefix = prefix
        self._clock = clock
        self._script = redis.register_script(_HIT_SCRIPT)
        self._fallback = MemoryRateLimiter(clock)

    async def hit(self, keys: Sequence[str], *, limit: int, window_seconds: float) -> float | None:
        # Wall time, not monotonic: every API process sharing the Redis counts on the same scale.
        now_ms = self._clock.now().timestamp() * 1000
        # A unique member per attempt: two attempts in the same millisecond must both count.
        member = f"{now_ms:.3f}:{secrets.token_hex(4)}"
        try:
            wait_ms = await self._script(
                keys=[self._prefix + key for key in keys], args=[now_ms, window_seconds * 1000, limit, member]
            )
        except (RedisError, OSError) as exc:
            log.warning("login rate limit: Redis unreachable (%s); counting in this process", type(exc).__name__)
            return await self._fallback.hit(keys, limit=limit, window_seconds=window_seconds)
        return None if wait_ms is None else float(wait_ms) / 1000

    async def close(self) -> None:
        await self._redis.aclose()


def create_rate_limiter(settings: Settings, clock: Clock = SYSTEM_CLOCK) -> RateLimiter:
    """Redis when REDIS_URL is set (several processes share one budget), otherwise this process's memory."""
    if settings.redis_url:
        redis = Redis.from_url(settings.redis_url)
        return RedisRateLimiter(redis, prefix=f"{settings.redis_prefix}:ratelimit:", clock=clock)
    return MemoryRateLimiter(clock)


LOGIN_WINDOW_SECONDS = 60.0


async def check_login_allowed(limiter: RateLimiter, settings: Settings, *, email: str, client_ip: str | None) -> None:
    """Count a sign-in attempt for the email and the caller's address; 429 with Retry-After past the limit."""
    keys = [f"login:email:{email}"]
    if client_ip:
        keys.append(f"login:ip:{client_ip}")
    wait = await limiter.hit(keys, limit=settings.login_attempts_per_minute, window_seconds=LOGIN_WINDOW_SECONDS)
    if wait is not None:
        seconds = max(1, math.ceil(wait))
        raise TooManyRequests(
            f"Too many sign-in attempts. Please wait {seconds} seconds and try again.", retry_after=seconds
        )
