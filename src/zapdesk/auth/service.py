"""Refresh-token families: issuing a token pair, spending a refresh token once, and revoking a family.

Every refresh token belongs to a family that starts at sign-in. Each refresh spends the presented token and
issues the next one of the family. A spent token presented again means two parties hold the family (a thief
and the owner), so the whole family is revoked and both must sign in again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.auth.models import RefreshToken
from zapdesk.auth.tokens import RefreshClaims, decode_refresh_token, issue_access_token, issue_refresh_token
from zapdesk.config import Settings
from zapdesk.db.base import utcnow
from zapdesk.errors import Unauthorized


class RefreshTokenReused(Unauthorized):
    """A spent refresh token came back; its family is revoked, and that revocation must be committed."""

    def __init__(self) -> None:
        super().__init__(
            "This session was signed out because its refresh token was used twice. Please sign in again.",
            code="refresh_token_reused",
        )


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    access_token: str
    refresh_token: str


async def issue_tokens(
    session: AsyncSession, settings: Settings, *, user_id: int, role: str, family_id: str | None
) -> IssuedTokens:
    """An access token and the next refresh token of `family_id` (a new family when None), stored to be spent."""
    refresh_token, claims = issue_refresh_token(settings, user_id, family_id)
    session.add(
        RefreshToken(id=claims.token_id, family_id=claims.family_id, user_id=user_id, expires_at=claims.expires_at)
    )
    await session.flush()
    return IssuedTokens(access_token=issue_access_token(settings, user_id, role), refresh_token=refresh_token)


async def forget_expired_tokens(session: AsyncSession, user_id: int) -> None:
    await session.execute(
        delete(RefreshToken).where(RefreshToken.user_id == user_id, RefreshToken.expires_at < utcnow())
    )


async def spend_refresh_token(session: AsyncSession, settings: Settings, token: str) -> RefreshClaims:
    """Mark `token` spent and return its claims, so its family's next token can be issued.

    Raises `RefreshTokenReused` after revoking the family when `token` was already spent; the caller must
    commit before answering, or the revocation would roll back with the error.
    """
    claims = decode_refresh_token(settings, token)
    # One conditional UPDATE both checks and spends the token, so two concurrent refreshes cannot both win.
    spent = await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.id == claims.token_id,
            RefreshToken.used_at.is_(None),
            RefreshToken.revoked_at.is_(None),
        )
        .values(used_at=utcnow())
        .returning(RefreshToken.family_id)
    )
    if spent.scalar_one_or_none() is not None:
        return claims
    stored = await session.get(RefreshToken, claims.token_id)
    if stored is None:
        raise Unauthorized("The token is invalid.", code="token_invalid")
    if stored.used_at is not None:
        await revoke_family(session, stored.family_id)
        raise RefreshTokenReused()
    raise Unauthorized("This session has been signed out. Please sign in again.", code="refresh_token_revoked")


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
