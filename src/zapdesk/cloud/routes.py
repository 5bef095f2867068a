"""The Cloud API's routes: Meta's webhook (public, signed), a connection's account (admins), its templates and
template messages (whoever may see the ticket)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from fastapi.responses import PlainTextResponse

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
from zapdesk.kit.secrets import SecretBox
from zapdesk.messages.schemas import MessageRead

webhooks = APIRouter(prefix="/webhooks/cloud", tags=["cloud webhooks"])
router = APIRouter(tags=["cloud"])


def _inbound(request: Request, context: ContextDep) -> CloudInbound:
    inbound: CloudInbound | None = getattr(request.app.state, "cloud_inbound", None)
    if inbound is None:
        inbound = request.app.state.cloud_inbound = CloudInbound(context)
    return inbound


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
    stored), 503 when it could not be stored now (Meta delivers it again)."""
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
