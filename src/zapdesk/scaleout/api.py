"""`zapdesk api`: the HTTP API, Socket.IO and web UI without engine workers; stateless, run as many as needed.

Socket.IO rooms span the API processes through Redis (python-socketio's Redis manager), and commands and
pending sends wake the standalone workers through the Redis nudge channel.
"""

from __future__ import annotations

from starlette.types import ASGIApp

from zapdesk.app import AssembledServer, assemble_server
from zapdesk.config import Settings, get_settings
from zapdesk.context import AppContext
from zapdesk.kit.heap import settle_heap
from zapdesk.scaleout.nudges import RedisNudges
from zapdesk.scaleout.requirements import api_settings
from zapdesk.worker.nudges import nudging_sink


def assemble_api_server(settings: Settings) -> AssembledServer:
    """`settings` must come from `api_settings` (no workers here, Redis configured)."""
    context = AppContext.from_settings(settings)
    server = assemble_server(context)
    nudges = RedisNudges(settings)
    context.sink = nudging_sink(server.realtime.publish, nudges.wake)
    context.on_close.append(nudges.close)
    return server


def create_api_app() -> ASGIApp:
    """The uvicorn factory `zapdesk api` serves."""
    settings = api_settings(get_settings())
    settings.check_production_secrets()
    asgi = assemble_api_server(settings).asgi
    settle_heap()
    return asgi
