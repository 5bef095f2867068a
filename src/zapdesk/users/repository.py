"""Queries about users that more than one service needs."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from zapdesk.errors import NotFound
from zapdesk.users.models import Role, User
from zapdesk.users.schemas import normalize_email


async def find_by_email(session: AsyncSession, email: str) -> User | None:
    query = select(User).where(User.email == normalize_email(email)).options(selectinload(User.queues))
    return (await session.execute(query)).scalar_one_or_none()


async def load_user(session: AsyncSession, user_id: int) -> User | None:
    """The user with their queues loaded (what visibility needs), or None."""
    query = select(User).where(User.id == user_id).options(selectinload(User.queues))
    return (await session.execute(query)).scalar_one_or_none()


async def get_user(session: AsyncSession, user_id: int) -> User:
    """The user with their queues loaded, or 404."""
    user = await load_user(session, user_id)
    if user is None:
        raise NotFound(f"There is no user with id {user_id}.", code="user_not_found")
    return user


async def count_users(session: AsyncSession) -> int:
    return (await session.execute(select(func.count()).select_from(User))).scalar_one()


async def lock_admin_ids(session: AsyncSession) -> Sequence[int]:
    """The admins' ids, row-locked until commit so two admins cannot demote each other at once."""
    query = select(User.id).where(User.role == Role.ADMIN).order_by(User.id).with_for_update()
    return (await session.execute(query)).scalars().all()
