"""Message files over HTTP: downloading one (`GET /api/messages/{id}/media`) and sending one
(`POST /api/tickets/{id}/messages` as multipart/form-data, next to the JSON route of `messages.routes`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Response, UploadFile, status
from fastapi.responses import FileResponse
from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import Scope

from zapdesk.api.deps import SessionDep, SettingsDep
from zapdesk.api.inputs import ResourceId, file_part
from zapdesk.errors import UNSUPPORTED_FILE_RESPONSE
from zapdesk.kit.paging import MAX_ID
from zapdesk.media import service
from zapdesk.media.store import MediaStore
from zapdesk.messages.schemas import MAX_BODY_LENGTH, SENT_BEFORE, MessageRead, stored_message
from zapdesk.users.current import CurrentUser


def get_media_store(settings: SettingsDep) -> MediaStore:
    return MediaStore(settings.media_dir)


MediaStoreDep = Annotated[MediaStore, Depends(get_media_store)]


class MultipartOnlyRoute(APIRoute):
    """Matches only multipart requests, so a JSON route on the same path and method answers all the others.

    Its router must be included before the JSON route's (`app.py` does).
    """

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match is Match.FULL and not _is_multipart(scope):
            return Match.NONE, {}
        return match, child_scope


def _is_multipart(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return bool(value.lower().startswith(b"multipart/form-data"))
    return False


upload_router = APIRouter(prefix="/tickets/{ticket_id}/messages", tags=["messages"], route_class=MultipartOnlyRoute)
router = APIRouter(prefix="/messages", tags=["messages"])
voice_router = APIRouter(prefix="/tickets/{ticket_id}", tags=["messages"])


@upload_router.post(
    "",
    response_model=MessageRead,
    status_code=status.HTTP_201_CREATED,
    # One path, one method: OpenAPI can describe only one operation, and the JSON one is the common case.
    include_in_schema=False,
)
async def post_media_message(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    media_store: MediaStoreDep,
    ticket_id: ResourceId,
    response: Response,
    file: Annotated[UploadFile, file_part("An image, audio, video, PDF/office document, archive or text.")],
    body: Annotated[str, Form(max_length=MAX_BODY_LENGTH, description="The caption.")] = "",
    quoted_message_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
    client_id: Annotated[str | None, Form(min_length=1, max_length=64)] = None,
) -> MessageRead:
    """Send a file (201), typed by its content; 200 with the first message when `client_id` was sent before.
    413 when larger than `MAX_UPLOAD_BYTES`, 415 for a kind of file we do not send."""
    draft = service.MediaDraft(body=body.strip(), quoted_message_id=quoted_message_id, client_id=client_id)
    message, created = await service.post_media_message(
        session,
        user,
        ticket_id,
        upload=file,
        draft=draft,
        media_store=media_store,
        max_bytes=settings.max_upload_bytes,
    )
    return stored_message(message, created, response)


@voice_router.post(
    "/voice-notes",
    response_model=MessageRead,
    status_code=status.HTTP_201_CREATED,
    responses={**SENT_BEFORE, **UNSUPPORTED_FILE_RESPONSE},
)
async def post_voice_note(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    media_store: MediaStoreDep,
    ticket_id: ResourceId,
    response: Response,
    file: Annotated[UploadFile, file_part("What the browser recorded (WebM/Opus, MP4/AAC, OGG, WAV…).")],
    quoted_message_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
    client_id: Annotated[str | None, Form(min_length=1, max_length=64)] = None,
) -> MessageRead:
    """Send a voice note: converted to OGG/Opus here and sent as WhatsApp's push-to-talk audio, with its duration
    (`extra.seconds`). 413 over `MAX_UPLOAD_BYTES`, 422 `not_audio` for a file without audio."""
    draft = service.MediaDraft(body="", quoted_message_id=quoted_message_id, client_id=client_id)
    message, created = await service.post_voice_note(
        session,
        user,
        ticket_id,
        upload=file,
        draft=draft,
        media_store=media_store,
        max_bytes=settings.max_upload_bytes,
    )
    return stored_message(message, created, response)


@router.get(
    "/{message_id}/media",
    response_class=FileResponse,
    responses={200: {"description": "The file, under its original (sanitized) name.", "content": {"*/*": {}}}},
)
async def download_media(
    session: SessionDep, user: CurrentUser, media_store: MediaStoreDep, message_id: ResourceId
) -> FileResponse:
    """The file of a message, for users who may see its ticket (404 for everyone else)."""
    found = await service.media_file(session, user, message_id, media_store)
    return FileResponse(
        found.path,
        media_type=found.mime,
        filename=found.name,
        content_disposition_type="inline" if found.inline else "attachment",
        headers={
            "X-Content-Type-Options": "nosniff",
            # Even opened directly, a stored file can run nothing in our origin.
            "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'; media-src 'self'",
            "Cache-Control": "private, max-age=3600",
        },
    )


# The contact's picture is a file this package stores; its address is the contact's.
avatar_router = APIRouter(prefix="/contacts", tags=["contacts"])


@avatar_router.get(
    "/{contact_id}/avatar",
    response_class=FileResponse,
    responses={200: {"description": "The profile picture, as WhatsApp gave it.", "content": {"image/*": {}}}},
)
async def contact_avatar(
    session: SessionDep, _user: CurrentUser, media_store: MediaStoreDep, contact_id: ResourceId
) -> FileResponse:
    """The contact's profile picture, fetched through their connection's engine and refreshed at most daily."""
    path = await service.avatar_file(session, contact_id, media_store)
    return FileResponse(
        path,
        media_type="image/jpeg",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=86400"},
    )
