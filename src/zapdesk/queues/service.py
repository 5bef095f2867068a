"""Queues: creating, renaming, recolouring and removing them (tickets of a removed queue lose their queue), and
their place in the connections' menus: a number unique among the queues each connection serves."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import column, func, select, table
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.db.audiences import Removed
from zapdesk.db.uow import record_event
from zapdesk.errors import Conflict, Invalid, NotFound, field_error
from zapdesk.kit.conflicts import flush_or_conflict
from zapdesk.kit.paging import Keyset, keyset_page
from zapdesk.queues.events import QueueCreated, QueueRemoved, QueueUpdated
from zapdesk.queues.models import Queue
from zapdesk.queues.schemas import QueueCreate, QueueOption, QueueRead, QueueUpdate

# The connections' side of the link, named as a foreign key names a table: connections build on queues.
_connection_queues = table("connection_queues", column("connection_id"), column("queue_id"))


def queue_read(queue: Queue) -> QueueRead:
    return QueueRead.model_validate(queue)


BY_NAME = Keyset((Queue.name,))


async def list_queues(session: AsyncSession, *, limit: int, cursor: str | None) -> tuple[list[Queue], str | None]:
    return await keyset_page(session, select(Queue), BY_NAME, limit=limit, cursor=cursor)


async def get_queue(session: AsyncSession, queue_id: int) -> Queue:
    queue = await session.get(Queue, queue_id)
    if queue is None:
        raise NotFound(f"There is no queue with id {queue_id}.", code="queue_not_found")
    return queue


async def existing_queues(session: AsyncSession, queue_ids: Sequence[int]) -> list[Queue]:
    """The queues a body refers to, in their display order: an unknown id there is a conflict with what exists
    (409), unlike an unknown id in the path (404)."""
    wanted = sorted(set(queue_ids))
    if not wanted:
        return []
    found = list((await session.execute(select(Queue).where(Queue.id.in_(wanted)))).scalars())
    missing = sorted(set(wanted) - {queue.id for queue in found})
    if missing:
        listed = ", ".join(str(queue_id) for queue_id in missing)
        raise Conflict(f"These queues do not exist: {listed}.", code="unknown_queue")
    return sorted(found, key=lambda queue: (queue.order, queue.name))


async def create_queue(session: AsyncSession, data: QueueCreate) -> Queue:
    await _ensure_name_free(session, data.name)
    await _ensure_option_queues_exist(session, data.options)
    queue = Queue(
        name=data.name,
        color=data.color,
        greeting_message=data.greeting_message,
        order=data.order if data.order is not None else await _next_order(session),
        description=data.description,
        options=[option.model_dump(mode="json") for option in data.options],
        hours=data.hours.model_dump(mode="json") if data.hours is not None else None,
    )
    await flush_or_conflict(session, _name_taken(data.name), adding=queue)
    record_event(session, QueueCreated(queue_read(queue)))
    return queue


async def update_queue(session: AsyncSession, queue_id: int, data: QueueUpdate) -> Queue:
    queue = await get_queue(session, queue_id)
    changes = data.changes()
    if data.name is not None and data.name != queue.name:
        await _ensure_name_free(session, data.name, except_id=queue.id)
        queue.name = data.name
    if data.color is not None:
        queue.color = data.color
    if data.order is not None and data.order != queue.order:
        await _ensure_number_free_in_menus(session, queue.id, data.order)
        queue.order = data.order
    if data.options is not None:
        await _ensure_option_queues_exist(session, data.options)
        queue.options = [option.model_dump(mode="json") for option in data.options]
    for name in ("greeting_message", "description"):
        if name in changes:
            setattr(queue, name, getattr(data, name))
    if "hours" in changes:
        queue.hours = data.hours.model_dump(mode="json") if data.hours is not None else None
    await flush_or_conflict(session, _name_taken(queue.name))
    record_event(session, QueueUpdated(queue_read(queue)))
    return queue


async def delete_queue(session: AsyncSession, queue_id: int) -> None:
    await session.delete(await get_queue(session, queue_id))
    record_event(session, QueueRemoved(Removed(id=queue_id)))


async def _next_order(session: AsyncSession) -> int:
    highest = (await session.execute(select(func.max(Queue.order)))).scalar()
    return min(99, (highest or 0) + 1)


async def _ensure_number_free_in_menus(session: AsyncSession, queue_id: int, number: int) -> None:
    """No connection serving this queue may serve another with the same menu number."""
    its_connections = select(_connection_queues.c.connection_id).where(_connection_queues.c.queue_id == queue_id)
    query = (
        select(Queue.name)
        .join(_connection_queues, _connection_queues.c.queue_id == Queue.id)
        .where(_connection_queues.c.connection_id.in_(its_connections), Queue.id != queue_id, Queue.order == number)
        .limit(1)
    )
    other = (await session.execute(query)).scalar()
    if other is not None:
        raise Invalid(
            f"The queue {other} already has the number {number} in a menu this queue is in.",
            errors=[
                field_error(
                    ("body", "order"),
                    "menu_number_taken",
                    f"{other} has this number in the same menu",
                    number=number,
                    queue=other,
                )
            ],
        )


async def _ensure_option_queues_exist(session: AsyncSession, options: Sequence[QueueOption]) -> None:
    wanted = {option.queue_id for option in options if option.queue_id is not None}
    if not wanted:
        return
    found = set((await session.execute(select(Queue.id).where(Queue.id.in_(wanted)))).scalars())
    for index, option in enumerate(options):
        if option.queue_id is not None and option.queue_id not in found:
            raise Invalid(
                "An option leads to a queue that does not exist.",
                errors=[field_error(("body", "options", index, "queue_id"), "unknown_queue", "there is no such queue")],
            )


async def _ensure_name_free(session: AsyncSession, name: str, *, except_id: int | None = None) -> None:
    # "Vendas" and "vendas" would look like one queue to every agent: names clash ignoring case.
    query = select(Queue.id).where(func.lower(Queue.name) == name.lower())
    if except_id is not None:
        query = query.where(Queue.id != except_id)
    if (await session.execute(query.limit(1))).first() is not None:
        raise _name_taken(name)


def _name_taken(name: str) -> Conflict:
    return Conflict(f"A queue named {name} already exists.", code="queue_name_taken")
