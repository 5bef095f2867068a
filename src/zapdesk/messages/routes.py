"""/api/tickets/{id}/messages: a ticket's history and the agent's replies, under the ticket's access rule."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from zapdesk.api.deps import CurrentUser, SessionDep
from zapdesk.api.inputs import MAX_ID, ResourceId
from zapdesk.api.pagination import DEFAULT_LIMIT, Limit, Page
from zapdesk.messages import service
from zapdesk.messages.schemas import MessageCreate, MessageRead, NoteCreate, ServiceWindowRead

router = APIRouter(prefix="/tickets/{ticket_id}", tags=["messages"])


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


@router.get("/window", response_model=ServiceWindowRead, include_in_schema=True)
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
