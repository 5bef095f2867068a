"""Liveness and dependency health."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from zapdesk.api.deps import ContextDep

router = APIRouter(tags=["health"])


class ComponentHealth(BaseModel):
    status: Literal["ok", "down"]
    detail: str | None = None


class Health(BaseModel):
    status: Literal["ok", "degraded", "down"]
    database: ComponentHealth


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
async def health(context: ContextDep) -> JSONResponse:
    database = await _database_health(context)
    overall = "ok" if database.status == "ok" else "down"
    body = Health(status=overall, database=database)
    return JSONResponse(body.model_dump(), status_code=200 if overall == "ok" else 503)


async def _database_health(context: ContextDep) -> ComponentHealth:
    try:
        async with context.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means the database is unreachable for us
        return ComponentHealth(status="down", detail=type(exc).__name__)
    return ComponentHealth(status="ok")
