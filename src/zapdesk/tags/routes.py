"""/api/tags: everyone signed in may list them; administrators manage them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response, status

from zapdesk.api.deps import SessionDep
from zapdesk.api.inputs import ResourceId
from zapdesk.kit.paging import DEFAULT_LIMIT, Limit, Page
from zapdesk.tags import service
from zapdesk.tags.schemas import TagCreate, TagRead, TagUpdate
from zapdesk.users.current import AdminUser, CurrentUser

router = APIRouter(prefix="/tags", tags=["tags"])


@router.get("", response_model=Page[TagRead])
async def list_tags(
    _user: CurrentUser,
    session: SessionDep,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Annotated[str | None, service.BY_NAME.cursor_query()] = None,
) -> Page[TagRead]:
    tags, next_cursor = await service.list_tags(session, limit=limit, cursor=cursor)
    return Page(items=[TagRead.model_validate(tag) for tag in tags], next_cursor=next_cursor)


@router.post("", response_model=TagRead, status_code=status.HTTP_201_CREATED)
async def create_tag(body: TagCreate, _admin: AdminUser, session: SessionDep) -> TagRead:
    return TagRead.model_validate(await service.create_tag(session, body))


@router.patch("/{tag_id}", response_model=TagRead)
async def update_tag(tag_id: ResourceId, body: TagUpdate, _admin: AdminUser, session: SessionDep) -> TagRead:
    return TagRead.model_validate(await service.update_tag(session, tag_id, body))


@router.delete("/{tag_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
async def delete_tag(tag_id: ResourceId, _admin: AdminUser, session: SessionDep) -> None:
    await service.delete_tag(session, tag_id)
