"""Tags: an administrator's list of labels. Putting them on tickets and contacts is those domains' work
(`tickets.service.tag_ticket`, `contacts.service.tag_contact`); this module only owns the list."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.db.audiences import Removed
from zapdesk.db.uow import record_event
from zapdesk.errors import Conflict, NotFound
from zapdesk.kit.conflicts import flush_or_conflict
from zapdesk.kit.paging import Keyset, keyset_page
from zapdesk.tags.events import TagCreated, TagRemoved, TagUpdated
from zapdesk.tags.models import Tag
from zapdesk.tags.schemas import TagCreate, TagRead, TagUpdate

BY_NAME = Keyset((Tag.name,))


async def list_tags(session: AsyncSession, *, limit: int, cursor: str | None) -> tuple[list[Tag], str | None]:
    return await keyset_page(session, select(Tag), BY_NAME, limit=limit, cursor=cursor)


async def get_tag(session: AsyncSession, tag_id: int) -> Tag:
    tag = await session.get(Tag, tag_id)
    if tag is None:
        raise NotFound(f"There is no tag with id {tag_id}.", code="tag_not_found")
    return tag


async def create_tag(session: AsyncSession, data: TagCreate) -> Tag:
    await _ensure_name_free(session, data.name)
    tag = Tag(name=data.name, color=data.color)
    await flush_or_conflict(session, _name_taken(data.name), adding=tag)
    record_event(session, TagCreated(TagRead.model_validate(tag)))
    return tag


async def update_tag(session: AsyncSession, tag_id: int, data: TagUpdate) -> Tag:
    tag = await get_tag(session, tag_id)
    if data.name is not None and data.name != tag.name:
        await _ensure_name_free(session, data.name, except_id=tag.id)
        tag.name = data.name
    if data.color is not None:
        tag.color = data.color
    await flush_or_conflict(session, _name_taken(tag.name))
    record_event(session, TagUpdated(TagRead.model_validate(tag)))
    return tag


async def delete_tag(session: AsyncSession, tag_id: int) -> None:
    """Gone from every ticket and contact too (the database cascades); browsers drop it on `tag.removed`."""
    await session.delete(await get_tag(session, tag_id))
    record_event(session, TagRemoved(Removed(id=tag_id)))


async def _ensure_name_free(session: AsyncSession, name: str, *, except_id: int | None = None) -> None:
    # "VIP" and "vip" would look like one tag to every agent: names clash ignoring case.
    query = select(Tag.id).where(func.lower(Tag.name) == name.lower())
    if except_id is not None:
        query = query.where(Tag.id != except_id)
    if (await session.execute(query.limit(1))).first() is not None:
        raise _name_taken(name)


def _name_taken(name: str) -> Conflict:
    return Conflict(f"A tag named {name} already exists.", code="tag_name_taken")
