"""/api/queues: everyone signed in may list them; administrators manage them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response, status

from zapdesk.api.deps import SessionDep
from zapdesk.api.inputs import ResourceId
from zapdesk.auth.caller import Admin, SignedIn
from zapdesk.kit.paging import DEFAULT_LIMIT, Limit, Page
from zapdesk.queues import service
from zapdesk.queues.schemas import QueueCreate, QueueRead, QueueUpdate

router = APIRouter(prefix="/queues", tags=["queues"])


@router.get("", response_model=Page[QueueRead])
async def list_queues(
    _caller: SignedIn,
    session: SessionDep,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Annotated[str | None, service.BY_NAME.cursor_query()] = None,
) -> Page[QueueRead]:
    queues, next_cursor = await service.list_queues(session, limit=limit, cursor=cursor)
    return Page(items=[service.queue_read(queue) for queue in queues], next_cursor=next_cursor)


@router.post("", response_model=QueueRead, status_code=status.HTTP_201_CREATED)
async def create_queue(body: QueueCreate, _admin: Admin, session: SessionDep) -> QueueRead:
    return service.queue_read(await service.create_queue(session, body))


@router.get("/{queue_id}", response_model=QueueRead)
async def get_queue(queue_id: ResourceId, _caller: SignedIn, session: SessionDep) -> QueueRead:
    return service.queue_read(await service.get_queue(session, queue_id))


@router.patch("/{queue_id}", response_model=QueueRead)
async def update_queue(queue_id: ResourceId, body: QueueUpdate, _admin: Admin, session: SessionDep) -> QueueRead:
    return service.queue_read(await service.update_queue(session, queue_id, body))


@router.delete("/{queue_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
async def delete_queue(queue_id: ResourceId, _admin: Admin, session: SessionDep) -> None:
    await service.delete_queue(session, queue_id)
