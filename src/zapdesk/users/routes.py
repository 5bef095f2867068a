"""/api/users: administrators manage accounts; everyone may read the short directory."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from zapdesk.api.deps import SessionDep
from zapdesk.api.inputs import ResourceId
from zapdesk.kit.paging import DEFAULT_LIMIT, Limit, Page
from zapdesk.users import repository, service
from zapdesk.users.current import AdminUser, CurrentUser
from zapdesk.users.schemas import DirectoryEntry, UserCreate, UserRead, UserUpdate

router = APIRouter(prefix="/users", tags=["users"])


@router.get("", response_model=Page[UserRead])
async def list_users(
    _admin: AdminUser,
    session: SessionDep,
    search: Annotated[str | None, Query(max_length=254, description="Part of a name or email.")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Annotated[str | None, service.OLDEST_FIRST.cursor_query()] = None,
) -> Page[UserRead]:
    users, next_cursor = await service.list_users(session, search=search, limit=limit, cursor=cursor)
    return Page(items=[UserRead.of(user) for user in users], next_cursor=next_cursor)


# Ids are digits (`{user_id:int}`), so /directory is never read as one: a PATCH to it is 405, not 422.
@router.get("/directory", response_model=list[DirectoryEntry])
async def directory(_user: CurrentUser, session: SessionDep) -> list[DirectoryEntry]:
    return [DirectoryEntry.of(user) for user in await service.list_directory(session)]


@router.post("", response_model=UserRead, status_code=status.HTTP_201_CREATED)
async def create_user(body: UserCreate, _admin: AdminUser, session: SessionDep) -> UserRead:
    return UserRead.of(await service.create_user(session, body))


@router.get("/{user_id:int}", response_model=UserRead)
async def get_user(user_id: ResourceId, _admin: AdminUser, session: SessionDep) -> UserRead:
    return UserRead.of(await repository.get_user(session, user_id))


@router.patch("/{user_id:int}", response_model=UserRead)
async def update_user(user_id: ResourceId, body: UserUpdate, _admin: AdminUser, session: SessionDep) -> UserRead:
    return UserRead.of(await service.update_user(session, user_id, body))


@router.delete("/{user_id:int}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
async def delete_user(user_id: ResourceId, _admin: AdminUser, session: SessionDep) -> None:
    await service.delete_user(session, user_id)
