"""/api/dead-letters: inbound events that could not be stored, for administrators to retry or discard."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.api.deps import SessionDep
from zapdesk.api.inputs import ResourceId
from zapdesk.auth.caller import Admin
from zapdesk.dead_letters import service
from zapdesk.dead_letters.schemas import DeadLetterOut, RetryOut
from zapdesk.engine.codec import InboundEvent
from zapdesk.ingest.service import ingest_events
from zapdesk.kit.paging import DEFAULT_LIMIT, Limit, Page
from zapdesk.media.routes import MediaStoreDep

router = APIRouter(prefix="/dead-letters", tags=["dead letters"])


@router.get("", response_model=Page[DeadLetterOut])
async def list_dead_letters(
    _admin: Admin,
    session: SessionDep,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Annotated[str | None, service.BY_ID.cursor_query()] = None,
) -> Page[DeadLetterOut]:
    dead_letters, next_cursor = await service.list_dead_letters(session, limit=limit, cursor=cursor)
    return Page(items=[service.to_out(dead_letter) for dead_letter in dead_letters], next_cursor=next_cursor)


@router.post("/{dead_letter_id}/retry", response_model=RetryOut)
async def retry_dead_letter(
    dead_letter_id: ResourceId, _admin: Admin, session: SessionDep, media_store: MediaStoreDep
) -> RetryOut:
    async def ingest(ingest_session: AsyncSession, connection_id: int, event: InboundEvent) -> None:
        await ingest_events(ingest_session, connection_id=connection_id, events=[event], media_store=media_store)

    dead_letter = await service.get_dead_letter(session, dead_letter_id)
    if await service.retry(session, dead_letter, ingest):
        return RetryOut(stored=True, dead_letter=None)
    return RetryOut(stored=False, dead_letter=service.to_out(dead_letter))


@router.delete("/{dead_letter_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
async def discard_dead_letter(dead_letter_id: ResourceId, _admin: Admin, session: SessionDep) -> None:
    await service.discard(session, dead_letter_id)
