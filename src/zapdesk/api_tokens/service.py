"""API token rules: making (shown once), listing and revoking. Recognising one on a request is
`zapdesk.auth.api_tokens`'s.

A token acts as the administrator who made it, limited to its scopes: `read` may GET what a signed-in user may
read, `send` may use the send API, `admin` may do what an administrator may. A revoked or expired token, or one
whose maker is no longer an administrator, is refused at once (the check runs on every request).
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.api_tokens.schemas import ApiTokenCreate
from zapdesk.auth.api_tokens import TOKEN_PREFIX, hash_token
from zapdesk.auth.models import ApiToken
from zapdesk.db.base import utcnow
from zapdesk.errors import NotFound
from zapdesk.users.models import User


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
