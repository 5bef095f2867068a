"""`POST /api/v1/messages`: the send API, for an API token with the `send` scope (or an administrator).

JSON, or multipart/form-data with the same fields and the file as `media` (the multipart route matches first).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Response, UploadFile, status
from pydantic import ValidationError

from zapdesk.api.deps import SessionDep, SettingsDep
from zapdesk.api.inputs import file_part
from zapdesk.auth.api_tokens import require_scope
from zapdesk.auth.caller import Authenticated
from zapdesk.auth.models import ApiToken, Scope
from zapdesk.errors import Forbidden, Invalid, describe_validation_errors
from zapdesk.media.routes import MultipartOnlyRoute
from zapdesk.messages.models import Message
from zapdesk.send_api import service
from zapdesk.send_api.schemas import WITH_FILE, SendMessageIn, SendMessageOut
from zapdesk.users.repository import load_user

PATH = "/v1/messages"
upload_router = APIRouter(tags=["send API"], route_class=MultipartOnlyRoute)
router = APIRouter(tags=["send API"])

_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"model": SendMessageOut, "description": "This client_id was sent before: the first message."}
}


async def sender_name(session: SessionDep, caller: Authenticated) -> str:
    """Who the message is from, as agents see it: "API · <token name>" (or the administrator's own name)."""
    if caller.grant is None:
        if not caller.is_admin:
            raise Forbidden("Only administrators and API tokens with the send scope can do this.", code="admin_only")
        admin = await load_user(session, caller.user_id)
        return admin.name if admin is not None else ""
    require_scope(caller.grant, Scope.SEND)
    token = await session.get(ApiToken, caller.grant.token_id)
    return f"API · {token.name}" if token is not None else "API"


SenderDep = Annotated[str, Depends(sender_name)]


def _answer(message: Message, created: bool, response: Response) -> SendMessageOut:
    if not created:
        response.status_code = status.HTTP_200_OK
    return SendMessageOut(
        message_id=message.id,
        ticket_id=message.ticket_id,
        contact_id=message.contact_id,
        status=message.status,
        created=created,
    )


@upload_router.post(PATH, response_model=SendMessageOut, status_code=status.HTTP_201_CREATED, responses=_ANSWERS)
async def send_media_message(
    session: SessionDep,
    settings: SettingsDep,
    sender: SenderDep,
    response: Response,
    media: Annotated[UploadFile, file_part("The file to send.")],
    number: Annotated[str, Form()],
    connection_id: Annotated[int | None, Form()] = None,
    connection: Annotated[str | None, Form()] = None,
    name: Annotated[str | None, Form()] = None,
    body: Annotated[str, Form(description="The caption.")] = "",
    client_id: Annotated[str | None, Form()] = None,
) -> SendMessageOut:
    """The send API with a file in the request (multipart/form-data)."""
    fields = {"connection_id": connection_id, "connection": connection, "number": number, "name": name}
    try:
        data = SendMessageIn.model_validate({**fields, "body": body, "client_id": client_id}, context=WITH_FILE)
    except ValidationError as exc:
        raise Invalid(describe_validation_errors(list(exc.errors()))) from exc
    content = await media.read(settings.max_upload_bytes + 1)
    message, created = await service.send_message(
        session, settings, data, sender=sender, upload=(content, media.filename)
    )
    return _answer(message, created, response)


@router.post(PATH, response_model=SendMessageOut, status_code=status.HTTP_201_CREATED, responses=_ANSWERS)
async def send_message(
    data: SendMessageIn, session: SessionDep, settings: SettingsDep, sender: SenderDep, response: Response
) -> SendMessageOut:
    """Queue a message to a number (text, a file by URL, or a Cloud API template); 201 with its id."""
    message, created = await service.send_message(session, settings, data, sender=sender)
    return _answer(message, created, response)
