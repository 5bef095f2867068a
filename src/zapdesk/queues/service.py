"""Queues: creating, renaming, recolouring and removing them (tickets of a removed queue lose their queue)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.db.queries import flush_or_conflict, keyset_page
from zapdesk.db.uow import record_event
from zapdesk.errors import Conflict, NotFound
from zapdesk.events import QueueCreated, QueueRemoved, QueueUpdated, Removed
from zapdesk.queues.models import Queue
from zapdesk.queues.schemas import QueueCreate, QueueRead, QueueUpdate


async def list_queues(session: AsyncSession, *, limit: int, cursor: str | None) -> tuple[list[Queue], str | None]:
    return await keyset_page(session, select(Queue), Queue.name, limit=limit, cursor=cursor)


async def get_queue(session: AsyncSession, queue_id: int) -> Queue:
    queue = await session.get(Queue, queue_id)
    if queue is None:
        raise NotFound(f"There is no queue with id {queue_id}.", code="queue_not_found")
    return queue


async def create_queue(session: AsyncSession, data: QueueCreate) -> Queue:
    await _ensure_name_free(session, data.name)
    queue = Queue(name=data.name, color=data.color, greeting_message=data.greeting_message)
    session.add(queue)
    await flush_or_conflict(session, _name_taken(data.name))
    record_event(session, QueueCreated(QueueRead.model_validate(queue)))
    return queue


async def update_queue(session: AsyncSession, queue_id: int, data: QueueUpdate) -> Queue:
    queue = await get_queue(session, queue_id)
    changes = data.changes()
    if data.name is not None and data.name != queue.name:
        await _ensure_name_free(session, data.name, except_id=queue.id)
        queue.name = data.name
    if data.color is not None:
        queue.color = data.color
    if "greeting_message" in changes:
        queue.greeting_message = data.greeting_message
    await flush_or_conflict(session, _name_taken(queue.name))
    record_event(session, QueueUpdated(QueueRead.model_validate(queue)))
    return queue


async def delete_queue(session: AsyncSession, queue_id: int) -> None:
    await session.delete(await get_queue(session, queue_id))
    record_event(session, QueueRemoved(Removed(id=queue_id)))


async def _ensure_name_free(session: AsyncSession, name: str, *, except_id: int | None = None) -> None:
    # "Vendas" and "vendas" would look like one queue to every agent: names clash ignoring case.
    query = select(Queue.id).where(func.lower(Queue.name) == name.lower())
    if except_id is not None:
        query = query.where(Queue.id != except_id)
    if (await session.execute(query.limit(1))).first() is not None:
        raise _name_taken(name)


def _name_taken(name: str) -> Conflict:
    return Conflict(f"A queue named {name} already exists.", code="queue_name_taken")
