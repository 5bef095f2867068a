"""/api/contacts: every signed-in user may read and edit contacts; only admins delete them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from zapdesk.api.deps import AdminUser, CurrentUser, SessionDep
from zapdesk.api.inputs import MAX_ID, ResourceId
from zapdesk.api.pagination import DEFAULT_LIMIT, Limit, Page
from zapdesk.contacts import service
from zapdesk.contacts.schemas import ContactCreate, ContactRead, ContactUpdate

router = APIRouter(prefix="/contacts", tags=["contacts"])


@router.get("", response_model=Page[ContactRead])
async def list_contacts(
    session: SessionDep,
    _user: CurrentUser,
    search: Annotated[str | None, Query(max_length=160, description="Part of the name or of the number.")] = None,
    tag: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only contacts with this tag (its id).")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> Page[ContactRead]:
    contacts, next_cursor = await service.list_contacts(session, search=search, tag_id=tag, limit=limit, cursor=cursor)
    return Page(items=[ContactRead.from_model(contact) for contact in contacts], next_cursor=next_cursor)


@router.post("", response_model=ContactRead, status_code=status.HTTP_201_CREATED)
async def create_contact(session: SessionDep, _user: CurrentUser, data: ContactCreate) -> ContactRead:
    return ContactRead.from_model(await service.create_contact(session, data))


@router.get("/{contact_id}", response_model=ContactRead)
async def get_contact(session: SessionDep, _user: CurrentUser, contact_id: ResourceId) -> ContactRead:
    return ContactRead.from_model(await service.get_contact(session, contact_id))


@router.patch("/{contact_id}", response_model=ContactRead)
async def update_contact(
    session: SessionDep, _user: CurrentUser, contact_id: ResourceId, data: ContactUpdate
) -> ContactRead:
    return ContactRead.from_model(await service.update_contact(session, contact_id, data))


@router.put("/{contact_id}/tags/{tag_id}", response_model=ContactRead)
async def tag_contact(
    session: SessionDep, _user: CurrentUser, contact_id: ResourceId, tag_id: ResourceId
) -> ContactRead:
    """Put a tag on the contact (nothing changes if it has it already)."""
    return ContactRead.from_model(await service.tag_contact(session, contact_id, tag_id, tagged=True))


@router.delete("/{contact_id}/tags/{tag_id}", response_model=ContactRead)
async def untag_contact(
    session: SessionDep, _user: CurrentUser, contact_id: ResourceId, tag_id: ResourceId
) -> ContactRead:
    """Take a tag off the contact."""
    return ContactRead.from_model(await service.tag_contact(session, contact_id, tag_id, tagged=False))


@router.delete("/{contact_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_contact(session: SessionDep, _admin: AdminUser, contact_id: ResourceId) -> Response:
    await service.delete_contact(session, contact_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
