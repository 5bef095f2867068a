"""The Cloud API's routes: Meta's webhook (public, signed), a connection's account (admins), its templates and
template messages (whoever may see the ticket)."""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request, Response, status
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from zapdesk.api.deps import ContextDep, SessionDep, SettingsDep
from zapdesk.api.inputs import ResourceId
from zapdesk.api.limits import BodySizeLimit
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
from zapdesk.errors import DomainError, error_body
from zapdesk.kit.hub_signatures import SIGNATURE_HEADER
from zapdesk.kit.paging import Page
from zapdesk.kit.secrets import SecretBox
from zapdesk.messages.schemas import SENT_BEFORE, MessageRead, stored_message
from zapdesk.users.current import AdminUser, CurrentUser

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
    responses=SENT_BEFORE,
)
async def send_template_message(
    ticket_id: ResourceId, data: TemplateMessageCreate, session: SessionDep, user: CurrentUser, response: Response
) -> MessageRead:
    """Queue an approved template (allowed outside the 24-hour window)."""
    message, created = await service.send_template(session, user, ticket_id, data)
    return stored_message(message, created, response)


@router.post("/tickets/{ticket_id}/template-messages/preview", response_model=TemplatePreview)
async def preview_template_message(
    ticket_id: ResourceId, data: TemplateMessageCreate, session: SessionDep, user: CurrentUser
) -> TemplatePreview:
    """The template as the customer would read it, with its variables filled (nothing is sent)."""
    return TemplatePreview(text=await service.preview_template(session, user, ticket_id, data))


_DELIVERY_PATH = re.compile(r"/api/webhooks/cloud/([0-9]{1,18})")


class WebhookFastPath:
    """ASGI middleware answering Meta's deliveries before anything else of the server's looks at them.

    Meta may post a thousand notifications a second; matching each against every route and solving the API's
    dependencies cost more than storing its message, and so did passing each through Socket.IO, the web UI and
    FastAPI's own middleware. Only the POST is taken here, with the same verification, storage, body limit
    and answers as `receive_webhook`; everything else goes on to `app`. `api` is the FastAPI app whose
    context (and `CloudInbound`) the deliveries use.
    """

    def __init__(self, app: ASGIApp, api: FastAPI, *, limit: int) -> None:
        self.app = app
        self.api = api
        self.deliver = BodySizeLimit(self._deliver, limit=limit, upload_limit=limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and _DELIVERY_PATH.fullmatch(scope["path"]):
            await self.deliver(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _deliver(self, scope: Scope, receive: Receive, send: Send) -> None:
        connection_id = int(scope["path"].rsplit("/", 1)[1])  # the path matched `_DELIVERY_PATH`
        request = Request(scope, receive)
        try:
            inbound = inbound_of(self.api, self.api.state.context)
            await inbound.receive(connection_id, await request.body(), request.headers.get(SIGNATURE_HEADER))
            response: Response = Response(status_code=status.HTTP_200_OK)
        except DomainError as exc:
            response = JSONResponse(error_body(exc.detail, exc.code), status_code=exc.status_code, headers=exc.headers)
        await response(scope, receive, send)


class QuietDeliveries(logging.Filter):
    """Leaves out of uvicorn's access log the deliveries Meta got a 200 for: one line per received message (up to
    a thousand a second) was 9 % of the API process's CPU under webhook load, saying nothing the stored
    messages do not. Refused deliveries are still logged, here and by `CloudInbound`."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if not isinstance(args, tuple) or len(args) != _ACCESS_LOG_FIELDS:
            return True
        _client, method, path, _version, status_code = args
        return not (method == "POST" and status_code == status.HTTP_200_OK and _DELIVERY_PATH.fullmatch(str(path)))


# uvicorn's access line: client, method, path with query, HTTP version, status.
_ACCESS_LOG_FIELDS = 5
ACCESS_LOGGER = "uvicorn.access"


def quiet_stored_deliveries_in_access_log() -> None:
    """Install `QuietDeliveries` on uvicorn's access logger (once per process), before its other filters."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(existing, QuietDeliveries) for existing in logger.filters):
        logger.filters.insert(0, QuietDeliveries())
