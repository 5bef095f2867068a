"""/api/contacts: every signed-in user may read and edit contacts; only admins delete them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from zapdesk.api.deps import SessionDep
from zapdesk.api.inputs import ResourceId
from zapdesk.contacts import fields, service
from zapdesk.contacts.repository import BY_NAME as CONTACTS_BY_NAME
from zapdesk.contacts.schemas import (
    ContactCreate,
    ContactFieldCreate,
    ContactFieldRead,
    ContactFieldUpdate,
    ContactRead,
    ContactUpdate,
)
from zapdesk.kit.paging import DEFAULT_LIMIT, MAX_ID, Limit, Page
from zapdesk.users.current import AdminUser, CurrentUser

router = APIRouter(prefix="/contacts", tags=["contacts"])
fields_router = APIRouter(prefix="/contact-fields", tags=["contacts"])


@router.get("", response_model=Page[ContactRead])
async def list_contacts(
    session: SessionDep,
    _user: CurrentUser,
    search: Annotated[str | None, Query(max_length=160, description="Part of the name or of the number.")] = None,
    tag: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only contacts with this tag (its id).")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Annotated[str | None, CONTACTS_BY_NAME.cursor_query()] = None,
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


@fields_router.get("", response_model=list[ContactFieldRead])
async def list_contact_fields(session: SessionDep, _user: CurrentUser) -> list[ContactFieldRead]:
    """The custom fields every contact has, in their order (a settings-sized list, not paged)."""
    return [ContactFieldRead.model_validate(field) for field in await fields.list_fields(session)]


@fields_router.post("", response_model=ContactFieldRead, status_code=status.HTTP_201_CREATED)
async def create_contact_field(session: SessionDep, _admin: AdminUser, data: ContactFieldCreate) -> ContactFieldRead:
    return ContactFieldRead.model_validate(await fields.create_field(session, data))


@fields_router.patch("/{field_id}", response_model=ContactFieldRead)
async def update_contact_field(
    session: SessionDep, _admin: AdminUser, field_id: ResourceId, data: ContactFieldUpdate
) -> ContactFieldRead:
    """Rename or reorder a field (its key and type stay)."""
    return ContactFieldRead.model_validate(await fields.update_field(session, field_id, data))


@fields_router.delete("/{field_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
async def delete_contact_field(session: SessionDep, _admin: AdminUser, field_id: ResourceId) -> None:
    await fields.delete_field(session, field_id)
