"""The calling user, whole (with the queues that decide what they may see), as `Annotated` dependencies every
router above `users` uses. Checking the token and the account is `zapdesk.auth.caller`'s."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from zapdesk.api.deps import SessionDep
from zapdesk.auth.caller import Admin, SignedIn
from zapdesk.errors import Unauthorized
from zapdesk.users.models import User
from zapdesk.users.repository import load_user


async def _load(session: SessionDep, caller: SignedIn | Admin) -> User:
    user = await load_user(session, caller.user_id)
    if user is None:  # deleted between the two reads
        raise Unauthorized("This account no longer exists.", code="user_gone")
    return user


async def get_current_user(session: SessionDep, caller: SignedIn) -> User:
    return await _load(session, caller)


async def get_current_admin(session: SessionDep, caller: Admin) -> User:
    return await _load(session, caller)


CurrentUser = Annotated[User, Depends(get_current_user)]
AdminUser = Annotated[User, Depends(get_current_admin)]
