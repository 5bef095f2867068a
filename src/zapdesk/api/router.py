"""Every domain router, mounted under /api."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from zapdesk.api import health
from zapdesk.api.text_input import reject_nul_characters
from zapdesk.api_tokens import routes as api_tokens
from zapdesk.auth import routes as auth
from zapdesk.automation import routes as automation
from zapdesk.cloud import routes as cloud
from zapdesk.connections import routes as connections
from zapdesk.contacts import routes as contacts
from zapdesk.dead_letters import routes as dead_letters
from zapdesk.errors import ERROR_RESPONSES
from zapdesk.media import routes as media
from zapdesk.messages import routes as messages
from zapdesk.meta import routes as meta
from zapdesk.notifications import routes as notifications
from zapdesk.outbox import routes as outbox
from zapdesk.queues import routes as queues
from zapdesk.quick_answers import routes as quick_answers
from zapdesk.realtime import routes as realtime
from zapdesk.reports import routes as reports
from zapdesk.scheduled import routes as scheduled
from zapdesk.send_api import routes as send_api
from zapdesk.settings import routes as workspace_settings
from zapdesk.tags import routes as tags
from zapdesk.tickets import routes as tickets
from zapdesk.users import routes as users
from zapdesk.webhooks import routes as webhooks


def build_api_router() -> APIRouter:
    router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, dependencies=[Depends(reject_nul_characters)])
    for domain_router in (
        health.router,
        connections.router,
        contacts.router,
        contacts.fields_router,
        tickets.router,
        # Before messages: it takes the multipart POSTs on the path whose JSON POSTs messages answers.
        media.upload_router,
        media.voice_router,
        messages.router,
        messages.actions_router,
        media.router,
        outbox.router,
        dead_letters.router,
        auth.router,
        users.router,
        queues.router,
        tags.router,
        notifications.router,
        quick_answers.router,
        scheduled.router,
        automation.router,
        workspace_settings.router,
        meta.router,
        realtime.router,
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
