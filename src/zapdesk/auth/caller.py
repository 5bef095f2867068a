"""Who is calling: the account behind a request's access token (or the administrator an API token acts as, within
its scopes), checked against its current row on each request (so a deleted or demoted account loses its rights
at once, not when its token expires).

Packages that need the whole `User` (with its queues) use `zapdesk.users.current`, which builds on this; the
packages `users` itself builds on (queues) use `SignedIn` and `Admin` here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import BigInteger, String, column, select, table
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.api.deps import SessionDep, SettingsDep
from zapdesk.auth.api_tokens import TokenGrant, authenticate_api_token, looks_like_api_token, require_scope
from zapdesk.auth.models import Scope
from zapdesk.auth.tokens import decode_access_token
from zapdesk.errors import Forbidden, Unauthorized


class Role(StrEnum):
    ADMIN = "admin"
    AGENT = "agent"


@dataclass(frozen=True, slots=True)
class Caller:
    user_id: int
    role: Role
    grant: TokenGrant | None = None  # an API token's scopes; None: a person signed in

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


# The two columns of the accounts table a token is checked against, named as a foreign key names a table
# (the `users` package builds on this one).
_ACCOUNTS = table("users", column("id", BigInteger), column("role", String))
_bearer = HTTPBearer(
    auto_error=False,
    description="The access token from POST /api/auth/login, or an API token (`zdk_…`) made under Settings.",
)


async def get_caller(
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """The caller whatever its token allows: routes take `SignedIn` or `Admin`, which check that too."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized()
    if looks_like_api_token(credentials.credentials):
        maker_id, grant = await authenticate_api_token(session, credentials.credentials)
        if await _role_of(session, maker_id) != Role.ADMIN:
            message = "The administrator who made this API token no longer is one."
            raise Unauthorized(message, code="api_token_invalid")
        return Caller(user_id=maker_id, role=Role.ADMIN, grant=grant)
    claims = decode_access_token(settings, credentials.credentials)
    role = await _role_of(session, claims.user_id)
    if role is None:
        raise Unauthorized("This account no longer exists.", code="user_gone")
    return Caller(user_id=claims.user_id, role=role)


async def _role_of(session: AsyncSession, user_id: int) -> Role | None:
    role = await session.scalar(select(_ACCOUNTS.c.role).where(_ACCOUNTS.c.id == user_id))
    return None if role is None else Role(role)


# Any valid credential, whatever its scopes: for a route that checks a scope of its own (the send API).
Authenticated = Annotated[Caller, Depends(get_caller)]


async def require_signed_in(request: Request, caller: Authenticated) -> Caller:
    """A token needs `read` to read and `admin` to change anything (the send API asks for `send` itself)."""
    require_scope(caller.grant, Scope.READ if request.method in ("GET", "HEAD") else Scope.ADMIN)
    return caller


SignedIn = Annotated[Caller, Depends(require_signed_in)]


async def require_admin(caller: SignedIn) -> Caller:
    if not caller.is_admin:
        raise Forbidden("Only administrators can do this.", code="admin_only")
    require_scope(caller.grant, Scope.ADMIN)
    return caller


Admin = Annotated[Caller, Depends(require_admin)]
