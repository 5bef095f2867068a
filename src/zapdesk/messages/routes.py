"""/api/tickets/{id}/messages: a ticket's history and the agent's replies, under the ticket's access rule."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from zapdesk.api.deps import SessionDep
from zapdesk.api.inputs import NOT_BLANK, ResourceId
from zapdesk.kit.paging import DEFAULT_LIMIT, Limit, Page
from zapdesk.messages import actions, service
from zapdesk.messages.repository import NEWEST_FIRST
from zapdesk.messages.schemas import (
    SENT_BEFORE,
    ForwardRequest,
    ForwardResult,
    MessageCreate,
    MessageEdit,
    MessageRead,
    MessageRevisionRead,
    NoteCreate,
    ServiceWindowRead,
    TypingState,
    stored_message,
)
from zapdesk.users.current import AdminUser, CurrentUser

router = APIRouter(prefix="/tickets/{ticket_id}", tags=["messages"])
actions_router = APIRouter(prefix="/messages", tags=["messages"])

# What is searched for in a conversation: the ticket list's search box takes as much.
SearchText = Query(min_length=1, max_length=200, pattern=NOT_BLANK, description="Words of the message, as typed.")


@router.get("/messages", response_model=Page[MessageRead])
async def list_messages(
    session: SessionDep,
    user: CurrentUser,
    ticket_id: ResourceId,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Annotated[str | None, NEWEST_FIRST.cursor_query()] = None,
) -> Page[MessageRead]:
    """Newest page first (its `next_cursor` leads to older ones), each page in chronological order; reading marks
    the ticket read (unread_count 0)."""
    messages, next_cursor = await service.read_messages(session, user, ticket_id, limit=limit, cursor=cursor)
    return Page(items=[MessageRead.from_model(message) for message in messages], next_cursor=next_cursor)


@router.get("/messages/search", response_model=Page[MessageRead])
async def search_messages(
    session: SessionDep,
    user: CurrentUser,
    ticket_id: ResourceId,
    q: Annotated[str, SearchText],
    limit: Limit = DEFAULT_LIMIT,
    cursor: Annotated[str | None, NEWEST_FIRST.cursor_query()] = None,
) -> Page[MessageRead]:
    """The ticket's messages whose text holds `q` (any case, with or without accents), newest first; open one
    with `/messages/{message_id}/around`."""
    found, next_cursor = await service.search_messages(session, user, ticket_id, q.strip(), limit=limit, cursor=cursor)
    return Page(items=[MessageRead.from_model(message) for message in found], next_cursor=next_cursor)


@router.get("/messages/{message_id}/around", response_model=Page[MessageRead])
async def list_messages_around(
    session: SessionDep, user: CurrentUser, ticket_id: ResourceId, message_id: ResourceId, limit: Limit = DEFAULT_LIMIT
) -> Page[MessageRead]:
    """`limit` messages in chronological order with this one in the middle; `next_cursor` continues to older
    pages of `/messages`, and newer ones are read from the newest page down. 404 when the ticket has no such
    message."""
    page, next_cursor = await service.read_messages_around(session, user, ticket_id, message_id, limit=limit)
    return Page(items=[MessageRead.from_model(message) for message in page], next_cursor=next_cursor)


@router.get("/messages/{message_id}/newer", response_model=Page[MessageRead])
async def list_messages_newer(
    session: SessionDep, user: CurrentUser, ticket_id: ResourceId, message_id: ResourceId, limit: Limit = DEFAULT_LIMIT
) -> Page[MessageRead]:
    """The `limit` messages after this one, in chronological order: reading on from `/around` towards the newest.
    `next_cursor` is the id of the last one while newer messages follow (ask again after it), null once these
    reach the newest. 404 when the ticket has no such message."""
    page, more = await service.read_messages_after(session, user, ticket_id, message_id, limit=limit)
    next_cursor = str(page[-1].id) if more else None
    return Page(items=[MessageRead.from_model(message) for message in page], next_cursor=next_cursor)


@router.get("/messages/window", response_model=ServiceWindowRead, include_in_schema=True)
async def get_window(session: SessionDep, user: CurrentUser, ticket_id: ResourceId) -> ServiceWindowRead:
    """Whether free text can reach the customer now (channels with a 24-hour customer-service window)."""
    return ServiceWindowRead.from_window(await service.ticket_window(session, user, ticket_id))


@router.post(
    "/messages",
    response_model=MessageRead,
    status_code=status.HTTP_201_CREATED,
    responses=SENT_BEFORE,
)
async def post_message(
    session: SessionDep, user: CurrentUser, ticket_id: ResourceId, data: MessageCreate, response: Response
) -> MessageRead:
    """Store a reply as `pending` (the outbox sends it). 409 on a closed ticket."""
    message, created = await service.post_message(session, user, ticket_id, data)
    return stored_message(message, created, response)


@router.post("/typing", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
async def post_typing(session: SessionDep, user: CurrentUser, ticket_id: ResourceId, data: TypingState) -> None:
    """The customer sees "typing…" while `typing` is repeated (a few seconds apart), until `false` or a message."""
    await service.tell_typing(session, user, ticket_id, typing=data.typing)


@router.post(
    "/notes",
    response_model=MessageRead,
    status_code=status.HTTP_201_CREATED,
    responses=SENT_BEFORE,
)
async def post_note(
    session: SessionDep, user: CurrentUser, ticket_id: ResourceId, data: NoteCreate, response: Response
) -> MessageRead:
    """An internal note (type `note`): seen by whoever sees the ticket, never sent to WhatsApp; `@Name` notifies."""
    note, created = await service.post_note(session, user, ticket_id, data)
    return stored_message(note, created, response)


# Ids are digits (`{message_id:int}`), so /forward is never read as one: a PATCH to it is 405, not 422.
@actions_router.patch("/{message_id:int}", response_model=MessageRead)
async def edit_message(
    session: SessionDep, user: CurrentUser, message_id: ResourceId, data: MessageEdit
) -> MessageRead:
    """Correct one's own text message, within 15 minutes of sending it (409 `edit_too_late` after)."""
    return MessageRead.from_model(await actions.edit(session, user, message_id, data.body))


@actions_router.delete("/{message_id:int}", response_model=MessageRead)
async def delete_message(session: SessionDep, user: CurrentUser, message_id: ResourceId) -> MessageRead:
    """Delete one's own message for everyone; the customer's phone shows it deleted."""
    return MessageRead.from_model(await actions.delete_for_everyone(session, user, message_id))


@actions_router.post("/forward", response_model=ForwardResult, status_code=status.HTTP_201_CREATED)
async def forward_messages(session: SessionDep, user: CurrentUser, data: ForwardRequest) -> ForwardResult:
    """Send copies of messages to another contact, in their active ticket (reused, or opened for you)."""
    ticket, copies = await actions.forward(session, user, data)
    return ForwardResult(ticket_id=ticket.id, messages=[MessageRead.from_model(copy) for copy in copies])


@actions_router.get("/{message_id:int}/history", response_model=list[MessageRevisionRead])
async def message_history(session: SessionDep, admin: AdminUser, message_id: ResourceId) -> list[MessageRevisionRead]:
    """Administrators: the edits and deletions made to a message, with the texts they replaced."""
    return [
        MessageRevisionRead.model_validate(action)
        for action in await actions.message_history(session, admin, message_id)
    ]
