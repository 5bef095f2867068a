"""Scale-out: every worker adds its counts to one Redis hash; every API process reads the totals at scrape time.

So any API process answers `/metrics` with the deployment's totals, whichever workers counted them, and a
worker's counts outlive the worker. They live as long as Redis keeps its data (a Redis restart without
persistence starts them from zero, which Prometheus reads as a counter reset).
"""

from __future__ import annotations

from redis.asyncio import Redis

from zapdesk.config import Settings
from zapdesk.metrics.tally import Tally


def metrics_key(settings: Settings) -> str:
    return f"{settings.redis_prefix}:metrics"


class RedisMetricsStore:
    def __init__(self, redis: Redis, key: str) -> None:
        self.redis = redis
        self.key = key

    async def add(self, tally: Tally) -> None:
        fields = tally.to_fields()
        if not fields:
            return
        # MULTI/EXEC: all of a flush or none of it, so a failed flush can be retried without counting twice.
        async with self.redis.pipeline(transaction=True) as pipe:
            for name, value in fields.items():
                if isinstance(value, float):
                    pipe.hincrbyfloat(self.key, name, value)
                else:
                    pipe.hincrby(self.key, name, value)
            await pipe.execute()

    async def read(self) -> Tally:
        return Tally.from_fields(await self.redis.hgetall(self.key))
