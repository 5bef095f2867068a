"""API tokens as credentials: recognising one, checking it against its stored hash, and what its scopes allow.

Making, listing and revoking them is `zapdesk.api_tokens`'s; a request carrying one is checked here, with the
access tokens of people (`zapdesk.auth.caller`), so that every route accepts both the same way.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.auth.models import ApiToken, Scope
from zapdesk.db.base import utcnow
from zapdesk.errors import Forbidden, Unauthorized

TOKEN_PREFIX = "zdk_"  # noqa: S105 - the tokens' recognisable start, not a secret
# Writing the last use on every request would make each read a write: once a minute is enough to show it.
LAST_USE_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """What a request's API token allows (a person signed in has none: their role decides)."""

    token_id: int
    scopes: frozenset[Scope]

    def allows(self, scope: Scope) -> bool:
        return Scope.ADMIN in self.scopes or scope in self.scopes


def looks_like_api_token(credential: str) -> bool:
    return credential.startswith(TOKEN_PREFIX)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def authenticate_api_token(session: AsyncSession, credential: str) -> tuple[int, TokenGrant]:
    """The id of the administrator a token acts as, and its grant; 401 for a token unknown, revoked or expired.
    (Whether its maker still is an administrator is the caller's check.)"""
    token = await session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(credential)))
    now = utcnow()
    if token is None:
        raise Unauthorized("The API token is invalid.", code="api_token_invalid")
    if token.revoked_at is not None:
        raise Unauthorized("This API token was revoked.", code="api_token_revoked")
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthorized("This API token has expired.", code="api_token_expired")
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_PRECISION:
        token.last_used_at = now
    return token.created_by_id, TokenGrant(token.id, frozenset(Scope(scope) for scope in token.scopes))


def require_scope(grant: TokenGrant | None, scope: Scope) -> None:
    """A person signed in has their role's rights; a token only its scopes'."""
    if grant is not None and not grant.allows(scope):
        raise Forbidden(f"This API token lacks the '{scope.value}' scope.", code="api_token_scope")
