"""/api/tickets: the conversations a user may see, and the actions on them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from zapdesk.api.deps import SessionDep
from zapdesk.api.inputs import ResourceId
from zapdesk.kit.paging import DEFAULT_LIMIT, MAX_ID, MAX_LIMIT, Limit, Page
from zapdesk.tickets import service
from zapdesk.tickets.history import service as history
from zapdesk.tickets.history.schemas import TicketEventRead
from zapdesk.tickets.models import TicketStatus
from zapdesk.tickets.repository import NEWEST_FIRST, TicketFilters
from zapdesk.tickets.schemas import (
    AssigneeFilter,
    RenderedText,
    RenderRequest,
    TicketCreate,
    TicketRead,
    TicketUpdate,
)
from zapdesk.users.current import CurrentUser

router = APIRouter(prefix="/tickets", tags=["tickets"])


@router.get("", response_model=Page[TicketRead])
async def list_tickets(
    session: SessionDep,
    user: CurrentUser,
    status: TicketStatus | None = None,
    queue_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    connection_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    assignee: AssigneeFilter = AssigneeFilter.ANY,
    tag: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only tickets with this tag (its id).")] = None,
    contact_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this contact's tickets (the contact panel's history).")
    ] = None,
    search: Annotated[
        str | None, Query(max_length=200, description="Contact name, phone number, or text of a message.")
    ] = None,
    rating: Annotated[int | None, Query(ge=1, le=5, description="Only tickets the customer rated so.")] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Annotated[str | None, NEWEST_FIRST.cursor_query()] = None,
) -> Page[TicketRead]:
    """Newest activity first; only the tickets the caller may see."""
    filters = TicketFilters(
        status=status,
        queue_id=queue_id,
        connection_id=connection_id,
        assignee=assignee,
        tag_id=tag,
        contact_id=contact_id,
        search=search.strip() if search and search.strip() else None,
        rating=rating,
    )
    tickets, next_cursor = await service.list_tickets(session, user, filters, limit=limit, cursor=cursor)
    return Page(items=[TicketRead.from_model(ticket) for ticket in tickets], next_cursor=next_cursor)


@router.post("/{ticket_id}/render", response_model=RenderedText)
async def render_text(
    ticket_id: ResourceId, body: RenderRequest, session: SessionDep, user: CurrentUser
) -> RenderedText:
    """A template (a quick answer) with its variables filled for this ticket, as the customer would read it."""
    return RenderedText(text=await service.render_for(session, user, ticket_id, body.text))


@router.post(
    "",
    response_model=TicketRead,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": TicketRead, "description": "The contact's active ticket on that connection."}},
)
async def start_conversation(
    session: SessionDep, user: CurrentUser, data: TicketCreate, response: Response
) -> TicketRead:
    """Start a conversation with a contact on a connection: a new ticket, open and yours (201), or the
    active one that already exists (200)."""
    ticket, created = await service.start_conversation(session, user, data)
    if not created:
        response.status_code = status.HTTP_200_OK
    return TicketRead.from_model(ticket)


@router.get("/{ticket_id}", response_model=TicketRead)
async def get_ticket(session: SessionDep, user: CurrentUser, ticket_id: ResourceId) -> TicketRead:
    return TicketRead.from_model(await service.get_visible_ticket(session, user, ticket_id))


@router.get("/{ticket_id}/events", response_model=Page[TicketEventRead])
async def list_ticket_events(
    session: SessionDep,
    user: CurrentUser,
    ticket_id: ResourceId,
    limit: Limit = MAX_LIMIT,
    cursor: Annotated[str | None, history.OLDEST_FIRST.cursor_query()] = None,
) -> Page[TicketEventRead]:
    """The ticket's history, oldest first: created, queue chosen, accepted, transferred, closed, reopened, …"""
    ticket = await service.get_visible_ticket(session, user, ticket_id)
    events, next_cursor = await history.list_events(session, ticket.id, cursor=cursor, limit=limit)
    return Page(items=events, next_cursor=next_cursor)


@router.put("/{ticket_id}/tags/{tag_id}", response_model=TicketRead)
async def tag_ticket(session: SessionDep, user: CurrentUser, ticket_id: ResourceId, tag_id: ResourceId) -> TicketRead:
    """Put a tag on the ticket (nothing changes if it has it already)."""
    return TicketRead.from_model(await service.tag_ticket(session, user, ticket_id, tag_id, tagged=True))


@router.delete("/{ticket_id}/tags/{tag_id}", response_model=TicketRead)
async def untag_ticket(session: SessionDep, user: CurrentUser, ticket_id: ResourceId, tag_id: ResourceId) -> TicketRead:
    """Take a tag off the ticket."""
    return TicketRead.from_model(await service.tag_ticket(session, user, ticket_id, tag_id, tagged=False))


@router.patch("/{ticket_id}", response_model=TicketRead)
async def update_ticket(
    session: SessionDep, user: CurrentUser, ticket_id: ResourceId, data: TicketUpdate
) -> TicketRead:
    return TicketRead.from_model(await service.update_ticket(session, user, ticket_id, data))
