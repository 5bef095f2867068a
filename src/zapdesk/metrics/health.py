"""Liveness and dependency health: the database, Redis when configured, the workers and each connection's state.

Public (load balancers and uptime checks call it), so it says nothing secret: no phone numbers, keys or codes,
and a failing dependency is named by its error type only (driver messages may carry hosts and users).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from zapdesk.api.deps import ContextDep, app_redis
from zapdesk.engine.registry import acknowledges_after_commit
from zapdesk.metrics.overview import ConnectionState, WorkerLeases, connection_states, worker_leases

router = APIRouter(tags=["health"])

# A probe that takes longer than this counts as down: a health check must answer even when a dependency hangs.
PROBE_TIMEOUT_SECONDS = 3.0


class ComponentHealth(BaseModel):
    status: Literal["ok", "down"]
    detail: str | None = None


class WorkerHealth(BaseModel):
    owner: str = Field(description="The worker process's lease owner id (host:pid:random for `zapdesk worker`).")
    sessions: int = Field(description="WhatsApp sessions it holds.")
    last_heartbeat: datetime
    alive: bool = Field(description="False once its leases expired: it stopped beating (crashed or cut off).")


class ConnectionHealth(BaseModel):
    id: int
    name: str
    status: str
    worker: str | None = Field(description="The worker holding its session now, if any.")
    engine: str | None = Field(description="The program that ran its session last: zapdesk-wa, neonize, simulator.")
    delivery_after_commit: bool | None = Field(
        description="True when that engine tells WhatsApp a message arrived only after zapdesk stored it."
    )


class EngineHealth(BaseModel):
    whatsapp: str = Field(description="The engine this server's settings choose for WhatsApp connections.")
    delivery_after_commit: bool = Field(
        description="Whether that engine acknowledges a message to WhatsApp only after zapdesk committed it."
    )


class Health(BaseModel):
    status: Literal["ok", "degraded", "down"] = Field(
        description="down (HTTP 503): the database is unreachable; degraded (HTTP 200): Redis is."
    )
    database: ComponentHealth
    redis: ComponentHealth | None = Field(description="Null when REDIS_URL is not configured.")
    workers: list[WorkerHealth] = Field(description="Workers holding sessions, from their leases.")
    engine: EngineHealth
    connections: list[ConnectionHealth]


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
async def health(request: Request, context: ContextDep) -> JSONResponse:
    (database, states, workers), redis = await asyncio.gather(
        _database_health(context), _redis_health(request, context)
    )
    if database.status == "down":
        overall: Literal["ok", "degraded", "down"] = "down"
    elif redis is not None and redis.status == "down":
        overall = "degraded"
    else:
        overall = "ok"
    body = Health(
        status=overall,
        database=database,
        redis=redis,
        workers=[WorkerHealth.model_validate(worker, from_attributes=True) for worker in workers],
        engine=EngineHealth(
            whatsapp=context.settings.whatsapp_engine,
            delivery_after_commit=bool(acknowledges_after_commit(context.settings.whatsapp_engine)),
        ),
        connections=[
            ConnectionHealth(
                id=state.id,
                name=state.name,
                status=state.status,
                worker=state.worker,
                engine=state.engine,
                delivery_after_commit=acknowledges_after_commit(state.engine),
            )
            for state in states
        ],
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=503 if overall == "down" else 200)


async def _database_health(
    context: ContextDep,
) -> tuple[ComponentHealth, list[ConnectionState], list[WorkerLeases]]:
    async def read() -> tuple[list[ConnectionState], list[WorkerLeases]]:
        async with context.sessionmaker() as session:
            return await connection_states(session), await worker_leases(session)

    try:
        states, workers = await asyncio.wait_for(read(), PROBE_TIMEOUT_SECONDS)
    except Exception as exc:  # any driver error (or a timeout) means the database is unreachable for us
        return ComponentHealth(status="down", detail=type(exc).__name__), [], []
    return ComponentHealth(status="ok"), states, workers


async def _redis_health(request: Request, context: ContextDep) -> ComponentHealth | None:
    redis = app_redis(request, context)
    if redis is None:
        return None
    try:
        await asyncio.wait_for(redis.ping(), PROBE_TIMEOUT_SECONDS)
    except Exception as exc:
        return ComponentHealth(status="down", detail=type(exc).__name__)
    return ComponentHealth(status="ok")
