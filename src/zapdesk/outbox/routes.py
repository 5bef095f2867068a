"""`POST /api/messages/{id}/retry`: an agent sends a failed message again; `…/reaction`: reacts to one."""

from __future__ import annotations

from fastapi import APIRouter

from zapdesk.api.deps import SessionDep
from zapdesk.api.inputs import ResourceId
from zapdesk.messages import service as messages
from zapdesk.messages.schemas import MessageRead, ReactionIn
from zapdesk.outbox import service
from zapdesk.users.current import CurrentUser

router = APIRouter(prefix="/messages", tags=["messages"])


@router.post("/{message_id}/retry", response_model=MessageRead)
async def retry_message(session: SessionDep, user: CurrentUser, message_id: ResourceId) -> MessageRead:
    """Queue a `failed` message again as `pending` (409 for any other state; 404 if you cannot see its ticket)."""
    return MessageRead.from_model(await service.retry_message(session, user, message_id))


@router.put("/{message_id}/reaction", response_model=MessageRead)
async def react_to_message(
    session: SessionDep, user: CurrentUser, message_id: ResourceId, data: ReactionIn
) -> MessageRead:
    """Set our emoji reaction on a message (an empty emoji removes it); WhatsApp is told through the outbox."""
    return MessageRead.from_model(await messages.react(session, user, message_id, data.emoji))
