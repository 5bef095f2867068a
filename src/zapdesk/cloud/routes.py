"""The Cloud API's routes: Meta's webhook (public, signed), a connection's account (admins), its templates and
template messages (whoever may see the ticket)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from zapdesk.api.deps import AdminUser, ContextDep, CurrentUser, SessionDep, SettingsDep
from zapdesk.api.inputs import ResourceId
from zapdesk.api.pagination import Page
from zapdesk.cloud import service
from zapdesk.cloud.inbound import CloudInbound
from zapdesk.cloud.schemas import (
    CloudAccountOut,
    CloudCredentialsIn,
    TemplateMessageCreate,
    TemplateOut,
    TemplatePreview,
)
from zapdesk.context import AppContext
from zapdesk.engine.cloud.webhook import SIGNATURE_HEADER
from zapdesk.errors import DomainError, error_body
from zapdesk.kit.secrets import SecretBox
from zapdesk.messages.schemas import MessageRead

webhooks = APIRouter(prefix="/webhooks/cloud", tags=["cloud webhooks"])
router = APIRouter(tags=["cloud"])


def inbound_of(app: Any, context: AppContext) -> CloudInbound:
    """The app's one `CloudInbound` (its accounts cache and group commits), made on first use."""
    inbound: CloudInbound | None = getattr(app.state, "cloud_inbound", None)
    if inbound is None:
        inbound = app.state.cloud_inbound = CloudInbound(context)
    return inbound


def _inbound(request: Request, context: ContextDep) -> CloudInbound:
    return inbound_of(request.app, context)


InboundDep = Annotated[CloudInbound, Depends(_inbound)]


@webhooks.get("/{connection_id}", response_class=PlainTextResponse, summary="Meta's check of the callback URL")
async def verify_webhook(
    connection_id: ResourceId,
    inbound: InboundDep,
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge", max_length=256)] = None,
) -> PlainTextResponse:
    """Echo `hub.challenge` when `hub.verify_token` is this connection's verify token (403 otherwise)."""
    return PlainTextResponse(await inbound.challenge(connection_id, mode, token, challenge))


@webhooks.post("/{connection_id}", status_code=status.HTTP_200_OK, summary="Meta's webhook deliveries")
async def receive_webhook(
    connection_id: ResourceId,
    request: Request,
    inbound: InboundDep,
    signature: Annotated[str | None, Header(alias="X-Hub-Signature-256")] = None,
) -> Response:
    """Answered 200 only once everything in the delivery is stored: 401 unsigned, 403 wrongly signed (nothing
    stored), 503 when it could not be stored now (Meta delivers it again). (Served by `WebhookFastPath`: this
    route documents it, and answers when the app runs without it.)"""
    await inbound.receive(connection_id, await request.body(), signature)
    return Response(status_code=status.HTTP_200_OK)


@router.get("/connections/{connection_id}/cloud", response_model=CloudAccountOut)
async def get_cloud_account(
    connection_id: ResourceId, session: SessionDep, settings: SettingsDep, _admin: AdminUser
) -> CloudAccountOut:
    return service.account_out(SecretBox(settings), await service.get_account(session, connection_id))


@router.put("/connections/{connection_id}/cloud", response_model=CloudAccountOut)
async def put_cloud_account(
    connection_id: ResourceId, data: CloudCredentialsIn, session: SessionDep, settings: SettingsDep, _admin: AdminUser
) -> CloudAccountOut:
    """Set the Meta credentials; secrets are write-only (left out: kept as stored)."""
    account = await service.set_credentials(session, settings, connection_id, data)
    return service.account_out(SecretBox(settings), account)


@router.get("/connections/{connection_id}/templates", response_model=Page[TemplateOut])
async def list_templates(
    connection_id: ResourceId,
    session: SessionDep,
    settings: SettingsDep,
    _user: CurrentUser,
    refresh: Annotated[bool, Query(description="Ask Meta again instead of using the cached list.")] = False,
) -> Page[TemplateOut]:
    """The approved message templates of the connection's WhatsApp Business Account."""
    templates = await service.list_templates(session, settings, connection_id, refresh=refresh)
    return Page(items=[service.template_out(template) for template in templates])


@router.post(
    "/tickets/{ticket_id}/template-messages",
    response_model=MessageRead,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": MessageRead, "description": "This client_id was already sent: the first message."}},
)
async def send_template_message(
    ticket_id: ResourceId, data: TemplateMessageCreate, session: SessionDep, user: CurrentUser, response: Response
) -> MessageRead:
    """Queue an approved template (allowed outside the 24-hour window)."""
    message, created = await service.send_template(session, user, ticket_id, data)
    if not created:
        response.status_code = status.HTTP_200_OK
    return MessageRead.from_model(message)


@router.post("/tickets/{ticket_id}/template-messages/preview", response_model=TemplatePreview)
async def preview_template_message(
    ticket_id: ResourceId, data: TemplateMessageCreate, session: SessionDep, user: CurrentUser
) -> TemplatePreview:
    """The template as the customer would read it, with its variables filled (nothing is sent)."""
    return TemplatePreview(text=await service.preview_template(session, user, ticket_id, data))


_DELIVERY_PATH = re.compile(r"/api/webhooks/cloud/([0-9]{1,18})")


class WebhookFastPath:
    """ASGI middleware answering Meta's deliveries before FastAPI routes anything.

    Meta may post a thousand notifications a second; matching each against every route and solving the API's
    dependencies cost more than storing its message. Only the POST is taken here, with the same verification,
    storage and answers as `receive_webhook`; everything else goes on to the app.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = _DELIVERY_PATH.fullmatch(scope.get("path", "")) if scope["type"] == "http" else None
        if match is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            inbound = inbound_of(scope["app"], scope["app"].state.context)
            await inbound.receive(int(match.group(1)), await request.body(), request.headers.get(SIGNATURE_HEADER))
            response: Response = Response(status_code=status.HTTP_200_OK)
        except DomainError as exc:
            response = JSONResponse(error_body(exc.detail, exc.code), status_code=exc.status_code, headers=exc.headers)
        await response(scope, receive, send)
