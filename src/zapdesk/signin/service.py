"""Signing in and out: credentials to tokens, refreshing them, and revoking a session (`auth` keeps the families)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.auth import service as families
from zapdesk.auth.passwords import hash_password_off_loop, needs_rehash, verify_password_off_loop
from zapdesk.auth.tokens import decode_refresh_token
from zapdesk.config import Settings
from zapdesk.errors import Forbidden, Unauthorized
from zapdesk.users import repository
from zapdesk.users.models import User


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
    await families.forget_expired_tokens(session, user.id)
    return await _signed_in(session, settings, user, family_id=None)


async def refresh(session: AsyncSession, settings: Settings, token: str) -> SignedIn:
    """Spend `token` and issue the next tokens of its family (see `auth.service.spend_refresh_token`)."""
    claims = await families.spend_refresh_token(session, settings, token)
    user = await repository.get_user(session, claims.user_id)
    return await _signed_in(session, settings, user, family_id=claims.family_id)


async def logout(session: AsyncSession, settings: Settings, token: str) -> None:
    """Revoke the family of `token`: this browser's session ends, other sessions of the user stay."""
    claims = decode_refresh_token(settings, token)
    await families.revoke_family(session, claims.family_id)


async def change_password(
    session: AsyncSession, settings: Settings, user: User, current_password: str, new_password: str
) -> SignedIn:
    """A new password for `user`, who proves they know the current one. Every other session ends (whoever knew
    the old password may hold one); this browser goes on with the fresh tokens returned."""
    if not await verify_password_off_loop(user.password_hash, current_password):
        # 403, not 422: the request is well formed, the caller is refused (and not 401: they stay signed in).
        raise Forbidden("The current password is incorrect.", code="wrong_current_password")
    user.password_hash = await hash_password_off_loop(new_password)
    await families.revoke_user_sessions(session, user.id)
    return await _signed_in(session, settings, user, family_id=None)


async def _signed_in(session: AsyncSession, settings: Settings, user: User, family_id: str | None) -> SignedIn:
    pair = await families.issue_tokens(session, settings, user_id=user.id, role=user.role, family_id=family_id)
    return SignedIn(access_token=pair.access_token, refresh_token=pair.refresh_token, user=user)
