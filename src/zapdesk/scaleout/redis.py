"""Redis clients for our own use (health probes, metrics, nudges): short timeouts, so an outage answers fast."""

from __future__ import annotations

from redis.asyncio import Redis
from starlette.datastructures import State

from zapdesk.context import AppContext

CONNECT_TIMEOUT_SECONDS = 1.0
COMMAND_TIMEOUT_SECONDS = 2.0


def command_client(url: str) -> Redis:
    """For request/response commands; a blocking subscription needs `subscriber_client` instead."""
    return Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS, socket_timeout=COMMAND_TIMEOUT_SECONDS)


def subscriber_client(url: str) -> Redis:
    # No read timeout (a quiet channel is normal); keepalives and health checks notice a dead server instead.
    return Redis.from_url(
        url, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS, socket_keepalive=True, health_check_interval=15
    )


def app_redis(state: State, context: AppContext) -> Redis | None:
    """The API process's client for probes and scrapes (None without REDIS_URL); made on first use."""
    if not context.settings.redis_url:
        return None
    client: Redis | None = getattr(state, "ops_redis", None)
    if client is None:
        client = state.ops_redis = command_client(context.settings.redis_url)
        context.on_close.append(client.aclose)
    return client
