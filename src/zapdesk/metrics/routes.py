"""`GET /metrics`: Prometheus text, behind `Authorization: Bearer $METRICS_TOKEN` when that is set.

Workers' counts come from where they were shipped: this server's supervisor (embedded workers report over
their channel) and the Redis hash (standalone workers). Gauges are read from the database at scrape time.
"""

from __future__ import annotations

import asyncio
import logging
import secrets

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST

from zapdesk.api.deps import ContextDep, app_redis
from zapdesk.config import Settings
from zapdesk.errors import Unauthorized
from zapdesk.metrics.exposition import Scrape, render
from zapdesk.metrics.overview import connection_states, pending_sends
from zapdesk.metrics.store import RedisMetricsStore, metrics_key
from zapdesk.metrics.tally import Tally

log = logging.getLogger(__name__)

router = APIRouter(tags=["metrics"], include_in_schema=False)

SCRAPE_TIMEOUT_SECONDS = 3.0


@router.get("/metrics")
async def metrics(request: Request, context: ContextDep) -> Response:
    require_metrics_token(context.settings, request.headers.get("authorization"))
    scrape = Scrape()
    embedded: Tally | None = getattr(getattr(request.app.state, "supervisor", None), "metrics", None)
    if embedded is not None:
        scrape.tally.merge(embedded)
    redis = app_redis(request, context)
    store = RedisMetricsStore(redis, metrics_key(context.settings)) if redis is not None else None

    async def read_database() -> None:
        async def read() -> None:
            async with context.sessionmaker() as session:
                scrape.connections = await connection_states(session)
                scrape.pending_sends = await pending_sends(session)

        try:
            await asyncio.wait_for(read(), SCRAPE_TIMEOUT_SECONDS)
        except Exception as exc:
            log.warning("metrics: the database did not answer (%s)", type(exc).__name__)
            scrape.database_up = False

    async def read_counts() -> None:
        if store is None:
            return
        try:
            scrape.tally.merge(await asyncio.wait_for(store.read(), SCRAPE_TIMEOUT_SECONDS))
        except Exception as exc:
            log.warning("metrics: Redis did not answer (%s); workers' counts are missing", type(exc).__name__)
            scrape.counts_up = False

    await asyncio.gather(read_database(), read_counts())
    return Response(render(scrape), media_type=CONTENT_TYPE_LATEST)


def require_metrics_token(settings: Settings, authorization: str | None) -> None:
    expected = settings.metrics_token
    if not expected:
        return
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(given.strip().encode(), expected.encode()):
        raise Unauthorized("Give the metrics token as a bearer token.", code="metrics_token_required")
