"""`Annotated` dependency aliases every router uses: the process's context and settings, the request's session.

Who is calling is `zapdesk.users.current`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.config import Settings
from zapdesk.context import AppContext
from zapdesk.db.uow import unit_of_work
from zapdesk.kit.redis import command_client


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


def app_redis(request: Request, context: AppContext) -> Redis | None:
    """The API process's Redis client for probes and scrapes (None without REDIS_URL); made on first use."""
    if not context.settings.redis_url:
        return None
    state = request.app.state
    client: Redis | None = getattr(state, "ops_redis", None)
    if client is None:
        client = state.ops_redis = command_client(context.settings.redis_url)
        context.on_close.append(client.aclose)
    return client
