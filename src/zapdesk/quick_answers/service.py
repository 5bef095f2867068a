"""Quick answers: canned replies an agent finds by typing `/` and part of the shortcut."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.db.queries import flush_or_conflict, keyset_page
from zapdesk.errors import Conflict, NotFound
from zapdesk.quick_answers.models import QuickAnswer
from zapdesk.quick_answers.schemas import QuickAnswerCreate, QuickAnswerUpdate, strip_slash


async def list_quick_answers(
    session: AsyncSession, *, search: str | None, limit: int, cursor: str | None
) -> tuple[list[QuickAnswer], str | None]:
    """By shortcut; `search` matches the start of the shortcut ("/he" finds "hello") or any part of the text."""
    query = select(QuickAnswer)
    term = strip_slash(search or "")
    if term:
        query = query.where(
            or_(
                QuickAnswer.shortcut.istartswith(term, autoescape=True),
                QuickAnswer.text.icontains(term, autoescape=True),
            )
        )
    return await keyset_page(session, query, QuickAnswer.shortcut, limit=limit, cursor=cursor)


async def get_quick_answer(session: AsyncSession, answer_id: int) -> QuickAnswer:
    answer = await session.get(QuickAnswer, answer_id)
    if answer is None:
        raise NotFound(f"There is no quick answer with id {answer_id}.", code="quick_answer_not_found")
    return answer


async def create_quick_answer(session: AsyncSession, data: QuickAnswerCreate) -> QuickAnswer:
    await _ensure_shortcut_free(session, data.shortcut)
    answer = QuickAnswer(shortcut=data.shortcut, text=data.text)
    session.add(answer)
    await flush_or_conflict(session, _shortcut_taken(data.shortcut))
    return answer


async def update_quick_answer(session: AsyncSession, answer_id: int, data: QuickAnswerUpdate) -> QuickAnswer:
    answer = await get_quick_answer(session, answer_id)
    if data.shortcut is not None and data.shortcut != answer.shortcut:
        await _ensure_shortcut_free(session, data.shortcut, except_id=answer.id)
        answer.shortcut = data.shortcut
    if data.text is not None:
        answer.text = data.text
    await flush_or_conflict(session, _shortcut_taken(answer.shortcut))
    return answer


async def delete_quick_answer(session: AsyncSession, answer_id: int) -> None:
    await session.delete(await get_quick_answer(session, answer_id))


async def _ensure_shortcut_free(session: AsyncSession, shortcut: str, *, except_id: int | None = None) -> None:
    # "/Hello" and "/hello" would be one shortcut to an agent typing: they clash ignoring case.
    query = select(QuickAnswer.id).where(func.lower(QuickAnswer.shortcut) == shortcut.lower())
    if except_id is not None:
        query = query.where(QuickAnswer.id != except_id)
    if (await session.execute(query.limit(1))).first() is not None:
        raise _shortcut_taken(shortcut)


def _shortcut_taken(shortcut: str) -> Conflict:
    return Conflict(f"The shortcut /{shortcut} is already in use.", code="shortcut_taken")
