"""/api/quick-answers: everyone signed in may search them; administrators manage them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from zapdesk.api.deps import AdminUser, CurrentUser, SessionDep
from zapdesk.api.inputs import ResourceId
from zapdesk.api.pagination import DEFAULT_LIMIT, Limit, Page
from zapdesk.quick_answers import service
from zapdesk.quick_answers.schemas import QuickAnswerCreate, QuickAnswerRead, QuickAnswerUpdate

router = APIRouter(prefix="/quick-answers", tags=["quick answers"])


@router.get("", response_model=Page[QuickAnswerRead])
async def list_quick_answers(
    _user: CurrentUser,
    session: SessionDep,
    search: Annotated[
        str | None, Query(max_length=200, description="Start of the shortcut (with or without /) or part of the text.")
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> Page[QuickAnswerRead]:
    answers, next_cursor = await service.list_quick_answers(session, search=search, limit=limit, cursor=cursor)
    return Page(items=[QuickAnswerRead.model_validate(answer) for answer in answers], next_cursor=next_cursor)


@router.post("", response_model=QuickAnswerRead, status_code=status.HTTP_201_CREATED)
async def create_quick_answer(body: QuickAnswerCreate, _admin: AdminUser, session: SessionDep) -> QuickAnswerRead:
    return QuickAnswerRead.model_validate(await service.create_quick_answer(session, body))


@router.get("/{answer_id}", response_model=QuickAnswerRead)
async def get_quick_answer(answer_id: ResourceId, _user: CurrentUser, session: SessionDep) -> QuickAnswerRead:
    return QuickAnswerRead.model_validate(await service.get_quick_answer(session, answer_id))


@router.patch("/{answer_id}", response_model=QuickAnswerRead)
async def update_quick_answer(
    answer_id: ResourceId, body: QuickAnswerUpdate, _admin: AdminUser, session: SessionDep
) -> QuickAnswerRead:
    return QuickAnswerRead.model_validate(await service.update_quick_answer(session, answer_id, body))


@router.delete("/{answer_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
async def delete_quick_answer(answer_id: ResourceId, _admin: AdminUser, session: SessionDep) -> None:
    await service.delete_quick_answer(session, answer_id)
