"""Assembling the ASGI application: REST API, Socket.IO, the web UI, and the background services."""

from __future__ import annotations

import functools
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from zapdesk import __version__
from zapdesk.api.docs import install_docs
from zapdesk.api.limits import BodySizeLimit
from zapdesk.api.redaction import redact_tokens_in_server_logs
from zapdesk.api.security import SecurityHeaders
from zapdesk.api.text_input import document_nul_refusal, reject_nul_characters
from zapdesk.api_tokens import routes as api_tokens
from zapdesk.automation import routes as automation
from zapdesk.cloud import routes as cloud
from zapdesk.cloud.routes import WebhookFastPath, quiet_stored_deliveries_in_access_log
from zapdesk.config import Environment, Settings, get_settings
from zapdesk.connections import routes as connections
from zapdesk.contacts import routes as contacts
from zapdesk.context import AppContext
from zapdesk.dead_letters import routes as dead_letters
from zapdesk.errors import ERROR_RESPONSES, install_error_handlers
from zapdesk.kit.heap import settle_heap
from zapdesk.media import routes as media
from zapdesk.messages import routes as messages
from zapdesk.meta import routes as meta
from zapdesk.metrics import health
from zapdesk.metrics import routes as metrics
from zapdesk.notifications import routes as notifications
from zapdesk.outbox import routes as outbox
from zapdesk.queues import routes as queues
from zapdesk.quick_answers import routes as quick_answers
from zapdesk.realtime import routes as realtime_routes
from zapdesk.realtime.server import RealtimeServer
from zapdesk.reports import routes as reports
from zapdesk.scheduled import routes as scheduled
from zapdesk.send_api import routes as send_api
from zapdesk.settings import routes as workspace_settings
from zapdesk.signin import routes as signin
from zapdesk.signin.ratelimit import create_rate_limiter
from zapdesk.simulator.app import mount_simulator
from zapdesk.tags import routes as tags
from zapdesk.tickets import routes as tickets
from zapdesk.users import routes as users
from zapdesk.users.bootstrap import bootstrap_first_admin
from zapdesk.web import WebUI
from zapdesk.webhooks import routes as webhooks
from zapdesk.webhooks.dispatcher import WebhookDispatcher
from zapdesk.webhooks.service import WebhookFeeder
from zapdesk.worker.supervisor import WorkerSupervisor


def api_router() -> APIRouter:
    """Every domain's routes, under /api."""
    router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, dependencies=[Depends(reject_nul_characters)])
    for domain_router in (
        health.router,
        connections.router,
        contacts.router,
        contacts.fields_router,
        media.avatar_router,
        tickets.router,
        # Before messages: it takes the multipart POSTs on the path whose JSON POSTs messages answers.
        media.upload_router,
        media.voice_router,
        messages.router,
        messages.actions_router,
        media.router,
        outbox.router,
        dead_letters.router,
        signin.router,
        users.router,
        queues.router,
        tags.router,
        notifications.router,
        quick_answers.router,
        scheduled.router,
        automation.router,
        workspace_settings.router,
        meta.router,
        realtime_routes.router,
        cloud.router,
        cloud.webhooks,
        api_tokens.router,
        # The multipart route first: it takes the multipart POSTs on the path whose JSON POSTs the other answers.
        send_api.upload_router,
        send_api.router,
        webhooks.router,
        reports.router,
    ):
        router.include_router(domain_router)
    return router


@functools.cache
def _api_routes() -> tuple[BaseRoute, ...]:
    """/api and /metrics, built once per process and shared by the apps it creates (the tests create one per
    test): FastAPI works out every route's dependencies when a router is included, a seventh of a second for
    ours. The routes keep nothing of an app (a request finds its own as `request.app`); only dependency
    overrides would be looked up on the app that built them, and nothing overrides dependencies."""
    builder = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    builder.include_router(api_router())
    builder.include_router(metrics.router)  # /metrics, outside /api (Prometheus's default path)
    return tuple(builder.router.routes)


def create_api(context: AppContext) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            await bootstrap_first_admin(context)
            await context.start()
            yield
        finally:
            await context.close()

    api = FastAPI(
        title="zapdesk",
        version=__version__,
        description="WhatsApp customer-service desk: connections, tickets, messages, real time.",
        openapi_url="/api/openapi.json",
        docs_url=None,  # served by install_docs: offline, under our Content-Security-Policy
        redoc_url=None,
        lifespan=lifespan,
    )
    api.state.context = context
    api.state.login_limiter = login_limiter = create_rate_limiter(context.settings, context.clock)
    context.on_close.append(login_limiter.close)
    install_error_handlers(api)
    # Outgoing webhooks: what this process commits is queued, and its dispatcher sends what is due.
    dispatcher = WebhookDispatcher(context)
    context.consumers.append(WebhookFeeder(context.sessionmaker, context.settings, on_queued=dispatcher.nudge))
    context.on_start.append(dispatcher.start)
    context.on_close.append(dispatcher.close)
    api.state.webhook_dispatcher = dispatcher
    install_docs(api)
    document_nul_refusal(api)
    api.router.routes.extend(_api_routes())
    simulator = mount_simulator(api, context.settings)  # /simulator outside production
    if simulator is not None:
        context.on_close.append(simulator.close)
    return api


@dataclass(frozen=True, slots=True)
class AssembledServer:
    """One server process's app: `asgi` is what uvicorn serves; the parts are for wiring and tests."""

    asgi: ASGIApp
    api: FastAPI
    realtime: RealtimeServer


def assemble_server(context: AppContext) -> AssembledServer:
    """REST under /api and Socket.IO at /socket.io in one ASGI app; committed events go to the sockets."""
    api = create_api(context)
    realtime = RealtimeServer(context)
    context.sink = realtime.publish
    context.on_start.append(realtime.start)
    context.on_close.append(realtime.close)
    if context.settings.run_workers:
        supervisor = WorkerSupervisor(context, publish=realtime.publish)
        context.sink = supervisor.sink
        context.on_start.append(supervisor.start)
        context.on_close.append(supervisor.stop)
        api.state.supervisor = supervisor
    api.state.realtime = realtime
    settings = context.settings
    # The web UI answers GETs outside /api, /socket.io and /simulator; everything else reaches the API.
    http = BodySizeLimit(
        WebUI(api, settings.web_dist_dir), limit=settings.max_body_bytes, upload_limit=settings.max_upload_bytes
    )
    redact_tokens_in_server_logs()  # Socket.IO clients may send the token in the query string uvicorn logs
    quiet_stored_deliveries_in_access_log()
    # The Socket.IO wrapper hands lifespan and every non-/socket.io request to `http`, so FastAPI's lifespan runs.
    # Meta's deliveries are answered first, before Socket.IO, the web UI and FastAPI look at them.
    delivered = WebhookFastPath(realtime.asgi_app(http), api, limit=settings.max_body_bytes)
    # Outermost, so every HTTP answer carries the security headers (web UI, API, Socket.IO polling, 413s).
    return AssembledServer(asgi=SecurityHeaders(delivered), api=api, realtime=realtime)


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document (REST, and the real-time events' schemas), the same whatever this machine's settings:
    what the web app's TypeScript types are generated from (`make types`)."""
    with tempfile.TemporaryDirectory() as data:
        settings = Settings(
            _env_file=None,
            data_dir=Path(data),
            database_url=f"sqlite+aiosqlite:///{data}/unused.db",
            simulator_enabled=False,
            environment=Environment.DEVELOPMENT,
        )
        return create_api(AppContext.from_settings(settings)).openapi()


def create_app(settings: Settings | None = None) -> ASGIApp:
    """The whole server as one ASGI app (what `zapdesk run` serves)."""
    settings = settings or get_settings()
    settings.check_production_secrets()
    asgi = assemble_server(AppContext.from_settings(settings)).asgi
    settle_heap()
    return asgi
