"""Signing in and out: credentials to tokens, refresh-token rotation, and revoking a stolen token's family.

Every refresh token belongs to a family that starts at login. Each refresh spends the presented token and
issues the next one of the family. A spent token presented again means two parties hold the family (a thief
and the owner), so the whole family is revoked and both must sign in again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.auth.models import RefreshToken
from zapdesk.auth.passwords import hash_password_off_loop, needs_rehash, verify_password_off_loop
from zapdesk.auth.tokens import decode_refresh_token, issue_access_token, issue_refresh_token
from zapdesk.config import Settings
from zapdesk.db.base import utcnow
from zapdesk.errors import Unauthorized
from zapdesk.users import repository
from zapdesk.users.models import User


class RefreshTokenReused(Unauthorized):
    """A spent refresh token came back; its family is revoked, and that revocation must be committed."""

    def __init__(self) -> None:
        super().__init__(
            "This session was signed out because its refresh token was used twice. Please sign in again.",
            code="refresh_token_reused",
        )


@dataclass(frozen=True, slots=True)
class SignedIn:
    access_token: str
    refresh_token: str
    user: User


async def login(session: AsyncSession, settings: Settings, email: str, password: str) -> SignedIn:
    """Tokens for valid credentials; one and the same 401 whether the email or the password was wrong."""
    user = await repository.find_by_email(session, email)
    # Verifying even for an unknown email keeps the two failures equally slow.
    if not await verify_password_off_loop(user.password_hash if user else None, password) or user is None:
        raise Unauthorized("The email or password is incorrect.", code="invalid_credentials")
    if needs_rehash(user.password_hash):
        user.password_hash = await hash_password_off_loop(password)
    await session.execute(
        delete(RefreshToken).where(RefreshToken.user_id == user.id, RefreshToken.expires_at < utcnow())
    )
    return await _issue(session, settings, user, family_id=None)


async def refresh(session: AsyncSession, settings: Settings, token: str) -> SignedIn:
    """Spend `token` and issue the next tokens of its family.

    Raises `RefreshTokenReused` after revoking the family when `token` was already spent; the caller must
    commit before answering, or the revocation would roll back with the error.
    """
    claims = decode_refresh_token(settings, token)
    now = utcnow()
    # One conditional UPDATE both checks and spends the token, so two concurrent refreshes cannot both win.
    spent = await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.id == claims.token_id,
            RefreshToken.used_at.is_(None),
            RefreshToken.revoked_at.is_(None),
        )
        .values(used_at=now)
        .returning(RefreshToken.family_id)
    )
    if spent.scalar_one_or_none() is None:
        stored = await session.get(RefreshToken, claims.token_id)
        if stored is None:
            raise Unauthorized("The token is invalid.", code="token_invalid")
        if stored.used_at is not None:
            await revoke_family(session, stored.family_id)
            raise RefreshTokenReused()
        raise Unauthorized("This session has been signed out. Please sign in again.", code="refresh_token_revoked")
    user = await repository.get_user(session, claims.user_id)
    return await _issue(session, settings, user, family_id=claims.family_id)


async def logout(session: AsyncSession, settings: Settings, token: str) -> None:
    """Revoke the family of `token`: this browser's session ends, other sessions of the user stay."""
    claims = decode_refresh_token(settings, token)
    await revoke_family(session, claims.family_id)


async def revoke_family(session: AsyncSession, family_id: str) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def revoke_user_sessions(session: AsyncSession, user_id: int) -> None:
    """End every refresh-token family of a user (their current access tokens still live out their minutes)."""
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def _issue(session: AsyncSession, settings: Settings, user: User, family_id: str | None) -> SignedIn:
    refresh_token, claims = issue_refresh_token(settings, user.id, family_id)
    session.add(
        RefreshToken(
            id=claims.token_id,
            family_id=claims.family_id,
            user_id=user.id,
            expires_at=claims.expires_at,
        )
    )
    await session.flush()
    return SignedIn(
        access_token=issue_access_token(settings, user.id, user.role),
        refresh_token=refresh_token,
        user=user,
    )
