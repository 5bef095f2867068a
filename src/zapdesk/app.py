"""Assembling the ASGI application: REST API, Socket.IO, the web UI, and the background services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp

from zapdesk.api.limits import BodySizeLimit
from zapdesk.api.router import build_api_router
from zapdesk.config import Settings, get_settings
from zapdesk.context import AppContext
from zapdesk.errors import install_error_handlers


def create_api(context: AppContext) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await context.close()

    api = FastAPI(
        title="zapdesk",
        version="0.1.0",
        description="WhatsApp customer-service desk: connections, tickets, messages, real time.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    api.state.context = context
    install_error_handlers(api)
    api.include_router(build_api_router())
    return api


def create_app(settings: Settings | None = None) -> ASGIApp:
    """The whole server as one ASGI app (what `zapdesk run` serves)."""
    settings = settings or get_settings()
    settings.check_production_secrets()
    context = AppContext.from_settings(settings)
    api = create_api(context)
    return BodySizeLimit(api, limit=settings.max_body_bytes, upload_limit=settings.max_upload_bytes)
