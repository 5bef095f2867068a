"""Every domain router, mounted under /api."""

from __future__ import annotations

from fastapi import APIRouter

from zapdesk.api import health
from zapdesk.contacts import routes as contacts
from zapdesk.errors import ERROR_RESPONSES
from zapdesk.messages import routes as messages
from zapdesk.realtime import routes as realtime
from zapdesk.tickets import routes as tickets


def build_api_router() -> APIRouter:
    router = APIRouter(prefix="/api", responses=ERROR_RESPONSES)
    for domain_router in (health.router, contacts.router, tickets.router, messages.router, realtime.router):
        router.include_router(domain_router)
    return router
