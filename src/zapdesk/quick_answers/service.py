"""Quick answers: canned replies an agent finds by typing `/` and part of the shortcut.

Shared answers are written by administrators, for every queue or only some; each user may keep their own.
An agent finds the shared answers of their queues (or of every queue) and their own; an administrator every
shared answer and their own. Any answer may carry a file, sent along when it is used.
"""

from __future__ import annotations

from functools import partial

from fastapi import UploadFile
from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from zapdesk.db.uow import on_rollback
from zapdesk.errors import Conflict, Forbidden, NotFound
from zapdesk.kit.conflicts import flush_or_conflict
from zapdesk.kit.paging import Keyset, keyset_page
from zapdesk.media.service import accept_upload
from zapdesk.media.store import MediaStore
from zapdesk.messages.models import Message, MessageType
from zapdesk.messages.schemas import MessageCreate
from zapdesk.messages.service import Attachment, post_message
from zapdesk.queues.service import existing_queues
from zapdesk.quick_answers.models import QuickAnswer, quick_answer_queues
from zapdesk.quick_answers.schemas import QuickAnswerCreate, QuickAnswerSend, QuickAnswerUpdate, strip_slash
from zapdesk.tickets.service import render_for
from zapdesk.users.models import User


def _usable_by(user: User) -> ColumnElement[bool]:
    """The answers `user` may find and use (needs `user.queues` loaded)."""
    own = QuickAnswer.owner_id == user.id
    if user.is_admin:
        return or_(QuickAnswer.owner_id.is_(None), own)
    limited = exists().where(quick_answer_queues.c.quick_answer_id == QuickAnswer.id)
    for_my_queues = exists().where(
        quick_answer_queues.c.quick_answer_id == QuickAnswer.id,
        quick_answer_queues.c.queue_id.in_([queue.id for queue in user.queues]),
    )
    return or_(own, and_(QuickAnswer.owner_id.is_(None), or_(~limited, for_my_queues)))


# The id breaks ties: an agent's own "/oi" and a shared "/oi" are both listed.
BY_SHORTCUT = Keyset((QuickAnswer.shortcut, QuickAnswer.id))


async def list_quick_answers(
    session: AsyncSession, user: User, *, search: str | None, limit: int, cursor: str | None
) -> tuple[list[QuickAnswer], str | None]:
    """By shortcut; `search` matches the start of the shortcut ("/he" finds "hello") or any part of the text."""
    query = select(QuickAnswer).options(selectinload(QuickAnswer.queues)).where(_usable_by(user))
    term = strip_slash(search or "")
    if term:
        query = query.where(
            or_(
                QuickAnswer.shortcut.istartswith(term, autoescape=True),
                QuickAnswer.text.icontains(term, autoescape=True),
            )
        )
    return await keyset_page(session, query, BY_SHORTCUT, limit=limit, cursor=cursor)


async def get_quick_answer(session: AsyncSession, user: User, answer_id: int) -> QuickAnswer:
    """One `user` may use; 404 otherwise."""
    query = (
        select(QuickAnswer)
        .options(selectinload(QuickAnswer.queues))
        .where(QuickAnswer.id == answer_id, _usable_by(user))
        .execution_options(populate_existing=True)
    )
    answer = (await session.execute(query)).scalar_one_or_none()
    if answer is None:
        raise NotFound(f"There is no quick answer with id {answer_id}.", code="quick_answer_not_found")
    return answer


async def _manageable(session: AsyncSession, user: User, answer_id: int) -> QuickAnswer:
    """One `user` may change: their own, or a shared one if they are an administrator."""
    answer = await get_quick_answer(session, user, answer_id)
    if answer.owner_id != user.id and not user.is_admin:
        raise Forbidden("Only administrators change shared quick answers.", code="admin_only")
    return answer


async def create_quick_answer(session: AsyncSession, user: User, data: QuickAnswerCreate) -> QuickAnswer:
    owner_id = user.id if data.personal or not user.is_admin else None
    await _ensure_shortcut_free(session, data.shortcut, owner_id=owner_id)
    answer = QuickAnswer(shortcut=data.shortcut, text=data.text, owner_id=owner_id)
    answer.queues = await existing_queues(session, data.queue_ids) if owner_id is None else []
    await flush_or_conflict(session, _shortcut_taken(data.shortcut), adding=answer)
    return answer


async def update_quick_answer(
    session: AsyncSession, user: User, answer_id: int, data: QuickAnswerUpdate
) -> QuickAnswer:
    answer = await _manageable(session, user, answer_id)
    if data.shortcut is not None and data.shortcut != answer.shortcut:
        await _ensure_shortcut_free(session, data.shortcut, owner_id=answer.owner_id, except_id=answer.id)
        answer.shortcut = data.shortcut
    if data.text is not None:
        answer.text = data.text
    if data.queue_ids is not None and answer.owner_id is None:
        answer.queues = await existing_queues(session, data.queue_ids)
    await flush_or_conflict(session, _shortcut_taken(answer.shortcut))
    return answer


async def delete_quick_answer(session: AsyncSession, user: User, answer_id: int) -> None:
    await session.delete(await _manageable(session, user, answer_id))


async def attach_file(
    session: AsyncSession, user: User, answer_id: int, upload: UploadFile, *, media_store: MediaStore, max_bytes: int
) -> QuickAnswer:
    """Give the answer a file (replacing the one it had: messages that used it keep their own copy)."""
    answer = await _manageable(session, user, answer_id)
    attachment = await accept_upload(session, upload, media_store=media_store, max_bytes=max_bytes)
    _set_file(answer, attachment)
    await session.flush()
    return answer


async def remove_file(session: AsyncSession, user: User, answer_id: int) -> QuickAnswer:
    answer = await _manageable(session, user, answer_id)
    answer.media_type = answer.media_path = answer.media_mime = answer.media_name = answer.media_size = None
    await session.flush()
    return answer


def _set_file(answer: QuickAnswer, attachment: Attachment) -> None:
    answer.media_type = attachment.type.value
    answer.media_path, answer.media_mime, answer.media_size = attachment.path, attachment.mime, attachment.size
    answer.media_name = attachment.name


async def send_quick_answer(
    session: AsyncSession, user: User, answer_id: int, data: QuickAnswerSend, *, media_store: MediaStore
) -> tuple[Message, bool]:
    """Send the answer in a ticket: its text filled for the ticket (or the text the agent edited it into), and a
    copy of its file."""
    answer = await get_quick_answer(session, user, answer_id)
    body = data.body if data.body is not None else await render_for(session, user, data.ticket_id, answer.text)
    attachment = await _file_copy(session, answer, media_store)
    if attachment is None and not body.strip():
        # Blank text is fine beside a file: whether it is enough depends on the answer's state (409), not the request.
        raise Conflict("The answer has neither text nor a file to send.", code="quick_answer_empty")
    fields = MessageCreate.model_construct(body=body.strip(), quoted_message_id=None, client_id=data.client_id)
    message, created = await post_message(session, user, data.ticket_id, fields, attachment=attachment)
    if not created and attachment is not None:
        await media_store.delete(attachment.path)  # sent before: that message has its own copy
    return message, created


async def _file_copy(session: AsyncSession, answer: QuickAnswer, media_store: MediaStore) -> Attachment | None:
    """A copy of the answer's file for one message: each message owns its file, whatever happens to the
    answer's later."""
    if answer.media_path is None:
        return None
    stored = await media_store.save(await media_store.read(answer.media_path), declared_mime=answer.media_mime)
    on_rollback(session, partial(media_store.delete, stored.path))
    return Attachment(
        type=MessageType(answer.media_type or "document"),
        path=stored.path,
        mime=stored.mime,
        size=stored.size,
        name=answer.media_name,
    )


async def _ensure_shortcut_free(
    session: AsyncSession, shortcut: str, *, owner_id: int | None, except_id: int | None = None
) -> None:
    # "/Hello" and "/hello" would be one shortcut to an agent typing: they clash ignoring case, within the shared
    # answers or within one person's own.
    same_owner = QuickAnswer.owner_id.is_(None) if owner_id is None else QuickAnswer.owner_id == owner_id
    query = select(QuickAnswer.id).where(func.lower(QuickAnswer.shortcut) == shortcut.lower(), same_owner)
    if except_id is not None:
        query = query.where(QuickAnswer.id != except_id)
    if (await session.execute(query.limit(1))).first() is not None:
        raise _shortcut_taken(shortcut)


def _shortcut_taken(shortcut: str) -> Conflict:
    return Conflict(f"The shortcut /{shortcut} is already in use.", code="shortcut_taken")
