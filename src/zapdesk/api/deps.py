"""`Annotated` dependency aliases every router uses: the request's session, the caller, their role."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from zapdesk.api_tokens import service as api_tokens
from zapdesk.api_tokens.models import Scope
from zapdesk.api_tokens.service import TokenGrant
from zapdesk.auth.tokens import decode_access_token
from zapdesk.config import Settings
from zapdesk.context import AppContext
from zapdesk.db.uow import unit_of_work
from zapdesk.errors import Forbidden, Unauthorized
from zapdesk.users.models import User


def get_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


ContextDep = Annotated[AppContext, Depends(get_context)]


def get_settings_dep(context: ContextDep) -> Settings:
    return context.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


async def get_session(context: ContextDep) -> AsyncIterator[AsyncSession]:
    """One transaction per request, committed before the response leaves; events follow the commit."""
    async with unit_of_work(context.sessionmaker, context.publish) as session:
        yield session


# scope="function": commit (and fail loudly) before the response is sent, not after.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]

_bearer = HTTPBearer(
    auto_error=False,
    description="The access token from POST /api/auth/login, or an API token (`zdk_…`) made under Settings.",
)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who calls: a person signed in (`grant` None), or an API token acting as its maker within its scopes."""

    user: User
    grant: TokenGrant | None = None


async def get_principal(
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized()
    if api_tokens.looks_like_api_token(credentials.credentials):
        maker, grant = await api_tokens.authenticate(session, credentials.credentials)
        user = await load_user(session, maker.id)
        assert user is not None
        return Principal(user, grant)
    claims = decode_access_token(settings, credentials.credentials)
    user = await load_user(session, claims.user_id)
    if user is None:
        raise Unauthorized("This account no longer exists.", code="user_gone")
    return Principal(user)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def get_current_user(request: Request, principal: PrincipalDep) -> User:
    """The caller; a token needs `read` to read and `admin` to change anything (the send API asks for `send`)."""
    reading = request.method in ("GET", "HEAD")
    api_tokens.require_scope(principal.grant, Scope.READ if reading else Scope.ADMIN)
    return principal.user


async def load_user(session: AsyncSession, user_id: int) -> User | None:
    query = select(User).where(User.id == user_id).options(selectinload(User.queues))
    return (await session.execute(query)).scalar_one_or_none()


CurrentUser = Annotated[User, Depends(get_current_user)]


async def require_admin(user: CurrentUser, principal: PrincipalDep) -> User:
    if not user.is_admin:
        raise Forbidden("Only administrators can do this.", code="admin_only")
    api_tokens.require_scope(principal.grant, Scope.ADMIN)
    return user


AdminUser = Annotated[User, Depends(require_admin)]
