"""Every domain router, mounted under /api."""

from __future__ import annotations

from fastapi import APIRouter

from zapdesk.api import health
from zapdesk.errors import ERROR_RESPONSES


def build_api_router() -> APIRouter:
    router = APIRouter(prefix="/api", responses=ERROR_RESPONSES)
    for domain_router in (health.router,):
        router.include_router(domain_router)
    return router
