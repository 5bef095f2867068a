"""Sign-in attempts are limited per email and per address, in a sliding one-minute window."""

from __future__ import annotations

import secrets
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis

from tests.conftest import TEST_PASSWORD, MakeUser, make_settings
from tests.services import redis_url
from zapdesk.app import create_api
from zapdesk.config import Settings
from zapdesk.context import AppContext
from zapdesk.kit.clock import ManualClock
from zapdesk.signin.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter, create_rate_limiter

LIMIT = 3


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(params=["memory", "redis"])
async def limiter(request: pytest.FixtureRequest, clock: ManualClock) -> AsyncIterator[RateLimiter]:
    """Both implementations must behave alike; the Redis one runs against the real server."""
    if request.param == "memory":
        yield MemoryRateLimiter(clock=clock)
        return
    prefix = f"zapdesk-test-{secrets.token_hex(4)}:"
    redis = Redis.from_url(redis_url())
    try:
        yield RedisRateLimiter(redis, prefix=prefix, clock=clock)
    finally:
        keys = [key async for key in redis.scan_iter(match=prefix + "*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


async def _hit(limiter: RateLimiter, *keys: str) -> float | None:
    return await limiter.hit(keys, limit=LIMIT, window_seconds=60)


async def test_attempts_up_to_the_limit_pass_and_the_next_waits_for_the_oldest_to_leave(
    limiter: RateLimiter, clock: ManualClock
) -> None:
    for second in range(LIMIT):
        await clock.advance(second)
        assert await _hit(limiter, "a") is None

    wait = await _hit(limiter, "a")

    # Attempts at t0, t0+1, t0+3: the first leaves the window at t0+60, 57 seconds from now.
    assert wait == pytest.approx(57, abs=0.01)


async def test_the_window_slides(limiter: RateLimiter, clock: ManualClock) -> None:
    for _ in range(LIMIT):
        assert await _hit(limiter, "a") is None
    await clock.advance(60.5)

    assert await _hit(limiter, "a") is None


async def test_refused_attempts_are_not_counted(limiter: RateLimiter, clock: ManualClock) -> None:
    for _ in range(LIMIT):
        await _hit(limiter, "a")
    await clock.advance(30)
    for _ in range(5):
        assert await _hit(limiter, "a") is not None
    await clock.advance(31)

    assert await _hit(limiter, "a") is None


async def test_one_full_key_refuses_the_attempt_without_counting_it_on_the_others(
    limiter: RateLimiter, clock: ManualClock
) -> None:
    for _ in range(LIMIT):
        await _hit(limiter, "email")

    assert await _hit(limiter, "email", "ip") is not None
    for _ in range(LIMIT):
        assert await _hit(limiter, "ip") is None
    assert await _hit(limiter, "ip") is not None


async def test_redis_url_selects_the_shared_limiter(tmp_path: Path) -> None:
    unused_database = f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}"
    with_redis = make_settings(unused_database, tmp_path, redis_url=redis_url())
    without = make_settings(unused_database, tmp_path, redis_url="")

    shared, local = create_rate_limiter(with_redis), create_rate_limiter(without)

    assert isinstance(shared, RedisRateLimiter)
    assert isinstance(local, MemoryRateLimiter)
    await shared.close()


async def test_deployments_sharing_a_redis_count_apart(tmp_path: Path) -> None:
    unused_database = f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}"
    prefixes = [f"zapdesk-test-{secrets.token_hex(4)}" for _ in range(2)]
    first, second = (
        create_rate_limiter(make_settings(unused_database, tmp_path, redis_url=redis_url(), redis_prefix=prefix))
        for prefix in prefixes
    )
    try:
        assert await first.hit(["login:ip:192.0.2.1"], limit=1, window_seconds=60) is None
        assert await first.hit(["login:ip:192.0.2.1"], limit=1, window_seconds=60) is not None

        assert await second.hit(["login:ip:192.0.2.1"], limit=1, window_seconds=60) is None
    finally:
        redis = Redis.from_url(redis_url())
        await redis.delete(*(f"{prefix}:ratelimit:login:ip:192.0.2.1" for prefix in prefixes))
        await redis.aclose()
        await first.close()
        await second.close()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path / "data", login_attempts_per_minute=LIMIT)


def _client_from(api: FastAPI, ip: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=api, client=(ip, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://zapdesk.test")


async def _attempt(client: httpx.AsyncClient, email: str, password: str | None = None) -> httpx.Response:
    """A sign-in attempt, with a wrong password unless one is given."""
    password = password or "wrong password"
    return await client.post("/api/auth/login", json={"email": email, "password": password})


async def test_too_many_attempts_for_one_email_get_429_even_from_new_addresses(
    context: AppContext, make_user: MakeUser
) -> None:
    user = await make_user()
    api = create_api(context)
    for attempt in range(LIMIT):
        async with _client_from(api, f"10.0.0.{attempt + 1}") as client:
            assert (await _attempt(client, user.email)).status_code == 401

    async with _client_from(api, "10.0.0.99") as client:
        refused = await _attempt(client, user.email.upper(), TEST_PASSWORD)

    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_requests"
    assert "Too many sign-in attempts" in refused.json()["detail"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


async def test_too_many_attempts_from_one_address_get_429_whatever_the_email(context: AppContext) -> None:
    api = create_api(context)
    async with _client_from(api, "192.0.2.7") as client:
        for attempt in range(LIMIT):
            assert (await _attempt(client, f"guess{attempt}@example.com")).status_code == 401

        refused = await _attempt(client, "another@example.com")

    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    async with _client_from(api, "192.0.2.8") as elsewhere:
        assert (await _attempt(elsewhere, "another@example.com")).status_code == 401


async def test_while_redis_is_unreachable_attempts_are_still_counted_in_this_process() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    unreachable = Redis.from_url(f"redis://127.0.0.1:{closed_port}/0", socket_connect_timeout=0.5)
    limiter = RedisRateLimiter(unreachable)
    try:
        allowed = [await _hit(limiter, "login:email:ana@example.com") for _ in range(LIMIT)]
        refused = await _hit(limiter, "login:email:ana@example.com")
    finally:
        await limiter.close()
    assert allowed == [None] * LIMIT
    assert refused is not None and refused > 0
