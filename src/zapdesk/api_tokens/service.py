"""API token rules: making (shown once), listing, revoking, and recognising one on a request.

A token acts as the administrator who made it, limited to its scopes: `read` may GET what a signed-in user may
read, `send` may use the send API, `admin` may do what an administrator may. A revoked or expired token, or one
whose maker is no longer an administrator, is refused at once (the check runs on every request).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.api_tokens.models import ApiToken, Scope
from zapdesk.api_tokens.schemas import ApiTokenCreate
from zapdesk.db.base import utcnow
from zapdesk.errors import Forbidden, NotFound, Unauthorized
from zapdesk.users.models import User

TOKEN_PREFIX = "zdk_"  # noqa: S105 - the tokens' recognisable start, not a secret
# Writing the last use on every request would make each read a write: once a minute is enough to show it.
LAST_USE_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """Who a request acts as, and what its token allows (None: a person signed in, not a token)."""

    token_id: int
    scopes: frozenset[Scope]

    def allows(self, scope: Scope) -> bool:
        return Scope.ADMIN in self.scopes or scope in self.scopes


def looks_like_api_token(credential: str) -> bool:
    return credential.startswith(TOKEN_PREFIX)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(session: AsyncSession, admin: User, data: ApiTokenCreate) -> tuple[ApiToken, str]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        name=data.name,
        token_hash=hash_token(token),
        prefix=token[:12],
        scopes=sorted({scope.value for scope in data.scopes}),
        created_by_id=admin.id,
        expires_at=data.expires_at,
    )
    session.add(row)
    await session.flush()
    return row, token


async def list_tokens(session: AsyncSession) -> list[ApiToken]:
    return list((await session.scalars(select(ApiToken).order_by(ApiToken.id.desc()))).all())


async def revoke_token(session: AsyncSession, token_id: int) -> ApiToken:
    token = await session.get(ApiToken, token_id)
    if token is None:
        raise NotFound("There is no API token with this id.", code="api_token_not_found")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


async def authenticate(session: AsyncSession, credential: str) -> tuple[User, TokenGrant]:
    """The administrator a token acts as, and its grant; 401 for a token that is unknown, revoked or expired."""
    token = await session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(credential)))
    now = utcnow()
    if token is None:
        raise Unauthorized("The API token is invalid.", code="api_token_invalid")
    if token.revoked_at is not None:
        raise Unauthorized("This API token was revoked.", code="api_token_revoked")
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthorized("This API token has expired.", code="api_token_expired")
    maker = await session.get(User, token.created_by_id)
    if maker is None or not maker.is_admin:
        raise Unauthorized("The administrator who made this API token no longer is one.", code="api_token_invalid")
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_PRECISION:
        token.last_used_at = now
    return maker, TokenGrant(token.id, frozenset(Scope(scope) for scope in token.scopes))


def require_scope(grant: TokenGrant | None, scope: Scope) -> None:
    """A person signed in has their role's rights; a token only its scopes'."""
    if grant is not None and not grant.allows(scope):
        raise Forbidden(f"This API token lacks the '{scope.value}' scope.", code="api_token_scope")
