"""Managing agents and admins: who they are, their role, their password and the queues they serve."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from zapdesk.auth.passwords import hash_password_off_loop
from zapdesk.auth.service import revoke_user_sessions
from zapdesk.db.uow import record_event
from zapdesk.errors import Conflict
from zapdesk.kit.conflicts import flush_or_conflict
from zapdesk.kit.paging import Keyset, keyset_page
from zapdesk.queues.service import existing_queues
from zapdesk.users import repository
from zapdesk.users.events import UserCreated, UserRemoved, UserUpdated
from zapdesk.users.models import Role, User
from zapdesk.users.schemas import OwnPreferences, UserCreate, UserRead, UserUpdate

# The user list's order: by creation.
OLDEST_FIRST = Keyset((User.id,))


async def list_users(
    session: AsyncSession, *, search: str | None, limit: int, cursor: str | None
) -> tuple[list[User], str | None]:
    """Users in creation order; `search` matches part of the name or email, ignoring case."""
    query = select(User).options(selectinload(User.queues))
    if search and search.strip():
        term = search.strip()
        query = query.where(
            or_(User.name.icontains(term, autoescape=True), User.email.icontains(term, autoescape=True))
        )
    return await keyset_page(session, query, OLDEST_FIRST, limit=limit, cursor=cursor)


async def list_directory(session: AsyncSession) -> Sequence[User]:
    """Every user, by name: the short list any signed-in user may read."""
    query = select(User).options(selectinload(User.queues)).order_by(func.lower(User.name), User.id)
    return (await session.execute(query)).scalars().all()


async def create_user(session: AsyncSession, data: UserCreate) -> User:
    await _ensure_email_free(session, data.email)
    user = User(
        name=data.name,
        email=data.email,
        password_hash=await hash_password_off_loop(data.password),
        role=data.role,
        queues=await existing_queues(session, data.queue_ids),
        signature=data.signature,
    )
    await flush_or_conflict(session, _email_taken(data.email), adding=user)
    record_event(session, UserCreated(UserRead.of(user)))
    return user


async def update_user(session: AsyncSession, user_id: int, data: UserUpdate) -> User:
    user = await repository.get_user(session, user_id)
    if data.name is not None:
        user.name = data.name
    if data.email is not None and data.email != user.email:
        await _ensure_email_free(session, data.email)
        user.email = data.email
    if data.role is not None and data.role != user.role:
        if data.role is not Role.ADMIN:
            await _ensure_another_admin_remains(session, user, "demote")
        user.role = data.role
    if data.password is not None:
        user.password_hash = await hash_password_off_loop(data.password)
        # Whoever knew the old password may hold a refresh token: a new password signs every session out.
        await revoke_user_sessions(session, user.id)
    if data.queue_ids is not None:
        user.queues = await existing_queues(session, data.queue_ids)
    if data.signature is not None:
        user.signature = data.signature
    await flush_or_conflict(session, _email_taken(user.email))
    record_event(session, UserUpdated(UserRead.of(user)))
    return user


async def update_own_preferences(session: AsyncSession, user: User, data: OwnPreferences) -> User:
    changes = data.changes()
    if data.name is not None:
        user.name = data.name
    if "language" in changes:
        user.language = data.language
    if data.signature is not None:
        user.signature = data.signature
    if data.notifications is not None:
        data.notifications.apply_to(user)
    await session.flush()
    record_event(session, UserUpdated(UserRead.of(user)))
    return user


async def delete_user(session: AsyncSession, user_id: int) -> None:
    """Their tickets and messages stay, without an assignee or author (the foreign keys say SET NULL)."""
    user = await repository.get_user(session, user_id)
    await _ensure_another_admin_remains(session, user, "delete")
    await session.delete(user)
    record_event(session, UserRemoved(user_id))


async def _ensure_email_free(session: AsyncSession, email: str) -> None:
    if await repository.find_by_email(session, email) is not None:
        raise _email_taken(email)


def _email_taken(email: str) -> Conflict:
    return Conflict(f"A user with the email {email} already exists.", code="email_taken")


async def _ensure_another_admin_remains(session: AsyncSession, user: User, action: str) -> None:
    if user.role != Role.ADMIN:
        return
    admin_ids = await repository.lock_admin_ids(session)
    if not set(admin_ids) - {user.id}:
        raise Conflict(
            f"You cannot {action} the last administrator; make another user an administrator first.",
            code="last_admin",
        )
