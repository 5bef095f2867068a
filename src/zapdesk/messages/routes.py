"""/api/tickets/{id}/messages: a ticket's history and the agent's replies, under the ticket's access rule."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from zapdesk.api.deps import AdminUser, CurrentUser, SessionDep
from zapdesk.api.inputs import MAX_ID, ResourceId
from zapdesk.api.pagination import DEFAULT_LIMIT, Limit, Page
from zapdesk.messages import actions, service
from zapdesk.messages.schemas import (
    ForwardRequest,
    ForwardResult,
    MessageCreate,
    MessageEdit,
    MessageRead,
    MessageRevisionRead,
    NoteCreate,
    ServiceWindowRead,
)

router = APIRouter(prefix="/tickets/{ticket_id}", tags=["messages"])
actions_router = APIRouter(prefix="/messages", tags=["messages"])


@router.get("/messages", response_model=Page[MessageRead])
async def list_messages(
    session: SessionDep,
    user: CurrentUser,
    ticket_id: ResourceId,
    before: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="A message id: return messages older than it (the previous next_cursor)."),
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Page[MessageRead]:
    """Newest page first, each page in chronological order; reading marks the ticket read (unread_count 0)."""
    messages, next_cursor = await service.read_messages(session, user, ticket_id, before=before, limit=limit)
    return Page(items=[MessageRead.from_model(message) for message in messages], next_cursor=next_cursor)


@router.get("/messages/window", response_model=ServiceWindowRead, include_in_schema=True)
async def get_window(session: SessionDep, user: CurrentUser, ticket_id: ResourceId) -> ServiceWindowRead:
    """Whether free text can reach the customer now (channels with a 24-hour customer-service window)."""
    return ServiceWindowRead.from_window(await service.ticket_window(session, user, ticket_id))


@router.post(
    "/messages",
    response_model=MessageRead,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": MessageRead, "description": "This client_id was already sent: the first message."}},
)
async def post_message(
    session: SessionDep, user: CurrentUser, ticket_id: ResourceId, data: MessageCreate, response: Response
) -> MessageRead:
    """Store a reply as `pending` (the outbox sends it). 409 on a closed ticket."""
    message, created = await service.post_message(session, user, ticket_id, data)
    if not created:
        response.status_code = status.HTTP_200_OK
    return MessageRead.from_model(message)


@router.post(
    "/notes",
    response_model=MessageRead,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": MessageRead, "description": "This client_id was already sent: the first note."}},
)
async def post_note(
    session: SessionDep, user: CurrentUser, ticket_id: ResourceId, data: NoteCreate, response: Response
) -> MessageRead:
    """An internal note (type `note`): seen by whoever sees the ticket, never sent to WhatsApp; `@Name` notifies."""
    note, created = await service.post_note(session, user, ticket_id, data)
    if not created:
        response.status_code = status.HTTP_200_OK
    return MessageRead.from_model(note)


@actions_router.patch("/{message_id}", response_model=MessageRead)
async def edit_message(
    session: SessionDep, user: CurrentUser, message_id: ResourceId, data: MessageEdit
) -> MessageRead:
    """Correct one's own text message, within 15 minutes of sending it (409 `edit_too_late` after)."""
    return MessageRead.from_model(await actions.edit(session, user, message_id, data.body))


@actions_router.delete("/{message_id}", response_model=MessageRead)
async def delete_message(session: SessionDep, user: CurrentUser, message_id: ResourceId) -> MessageRead:
    """Delete one's own message for everyone; the customer's phone shows it deleted."""
    return MessageRead.from_model(await actions.delete_for_everyone(session, user, message_id))


@actions_router.post("/forward", response_model=ForwardResult, status_code=status.HTTP_201_CREATED)
async def forward_messages(session: SessionDep, user: CurrentUser, data: ForwardRequest) -> ForwardResult:
    """Send copies of messages to another contact, in their active ticket (reused, or opened for you)."""
    ticket, copies = await actions.forward(session, user, data)
    return ForwardResult(ticket_id=ticket.id, messages=[MessageRead.from_model(copy) for copy in copies])


@actions_router.get("/{message_id}/history", response_model=list[MessageRevisionRead])
async def message_history(session: SessionDep, admin: AdminUser, message_id: ResourceId) -> list[MessageRevisionRead]:
    """Administrators: the edits and deletions made to a message, with the texts they replaced."""
    return [
        MessageRevisionRead.model_validate(action)
        for action in await actions.message_history(session, admin, message_id)
    ]
