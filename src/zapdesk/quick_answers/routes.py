"""/api/quick-answers: everyone signed in finds the ones they may use and keeps their own; administrators
manage the shared ones."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, UploadFile, status

from zapdesk.api.deps import SessionDep, SettingsDep
from zapdesk.api.inputs import ResourceId, file_part
from zapdesk.errors import UNSUPPORTED_FILE_RESPONSE
from zapdesk.kit.paging import DEFAULT_LIMIT, Limit, Page
from zapdesk.media.routes import MediaStoreDep
from zapdesk.messages.schemas import SENT_BEFORE, MessageRead, stored_message
from zapdesk.quick_answers import service
from zapdesk.quick_answers.schemas import QuickAnswerCreate, QuickAnswerRead, QuickAnswerSend, QuickAnswerUpdate
from zapdesk.users.current import CurrentUser

router = APIRouter(prefix="/quick-answers", tags=["quick answers"])


@router.get("", response_model=Page[QuickAnswerRead])
async def list_quick_answers(
    user: CurrentUser,
    session: SessionDep,
    search: Annotated[
        str | None, Query(max_length=200, description="Start of the shortcut (with or without /) or part of the text.")
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Annotated[str | None, service.BY_SHORTCUT.cursor_query()] = None,
) -> Page[QuickAnswerRead]:
    """The shared answers of your queues (all of them for an administrator) and your own."""
    answers, next_cursor = await service.list_quick_answers(session, user, search=search, limit=limit, cursor=cursor)
    return Page(items=[QuickAnswerRead.of(answer) for answer in answers], next_cursor=next_cursor)


@router.post("", response_model=QuickAnswerRead, status_code=status.HTTP_201_CREATED)
async def create_quick_answer(body: QuickAnswerCreate, user: CurrentUser, session: SessionDep) -> QuickAnswerRead:
    """An administrator's answer is shared unless `personal`; an agent's is always their own."""
    return QuickAnswerRead.of(await service.create_quick_answer(session, user, body))


@router.get("/{answer_id}", response_model=QuickAnswerRead)
async def get_quick_answer(answer_id: ResourceId, user: CurrentUser, session: SessionDep) -> QuickAnswerRead:
    return QuickAnswerRead.of(await service.get_quick_answer(session, user, answer_id))


@router.patch("/{answer_id}", response_model=QuickAnswerRead)
async def update_quick_answer(
    answer_id: ResourceId, body: QuickAnswerUpdate, user: CurrentUser, session: SessionDep
) -> QuickAnswerRead:
    return QuickAnswerRead.of(await service.update_quick_answer(session, user, answer_id, body))


@router.delete("/{answer_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
async def delete_quick_answer(answer_id: ResourceId, user: CurrentUser, session: SessionDep) -> None:
    await service.delete_quick_answer(session, user, answer_id)


@router.put("/{answer_id}/file", response_model=QuickAnswerRead, responses=UNSUPPORTED_FILE_RESPONSE)
async def attach_file(
    answer_id: ResourceId,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    media_store: MediaStoreDep,
    file: Annotated[UploadFile, file_part("An image, audio, video, PDF/office document, archive or text.")],
) -> QuickAnswerRead:
    """The file sent along with the answer (multipart/form-data); 413 or 415 as for a message's file."""
    answer = await service.attach_file(
        session, user, answer_id, file, media_store=media_store, max_bytes=settings.max_upload_bytes
    )
    return QuickAnswerRead.of(answer)


@router.post(
    "/{answer_id}/send",
    response_model=MessageRead,
    status_code=status.HTTP_201_CREATED,
    responses=SENT_BEFORE,
)
async def send_quick_answer(
    answer_id: ResourceId,
    body: QuickAnswerSend,
    user: CurrentUser,
    session: SessionDep,
    media_store: MediaStoreDep,
    response: Response,
) -> MessageRead:
    """Send the answer (its text and its file) in a ticket you may see, as a pending message."""
    message, created = await service.send_quick_answer(session, user, answer_id, body, media_store=media_store)
    return stored_message(message, created, response)


@router.delete("/{answer_id}/file", response_model=QuickAnswerRead)
async def remove_file(answer_id: ResourceId, user: CurrentUser, session: SessionDep) -> QuickAnswerRead:
    return QuickAnswerRead.of(await service.remove_file(session, user, answer_id))
