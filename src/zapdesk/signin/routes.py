"""/api/auth: sign in, refresh, sign out, and who am I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from zapdesk.api.deps import SessionDep, SettingsDep
from zapdesk.auth.service import RefreshTokenReused
from zapdesk.config import Settings
from zapdesk.signin import service
from zapdesk.signin.ratelimit import RateLimiter, check_login_allowed
from zapdesk.signin.schemas import LoginRequest, RefreshRequest, TokenPair
from zapdesk.users import service as users
from zapdesk.users.current import CurrentUser
from zapdesk.users.schemas import OwnPreferences, PasswordChange, UserRead

router = APIRouter(prefix="/auth", tags=["auth"])


def get_login_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.login_limiter
    return limiter


LoginLimiterDep = Annotated[RateLimiter, Depends(get_login_limiter)]


def _token_pair(settings: Settings, signed_in: service.SignedIn) -> TokenPair:
    return TokenPair(
        access_token=signed_in.access_token,
        refresh_token=signed_in.refresh_token,
        expires_in=settings.access_token_minutes * 60,
        user=UserRead.of(signed_in.user),
    )


@router.post("/login", response_model=TokenPair)
async def login(
    body: LoginRequest, request: Request, session: SessionDep, settings: SettingsDep, limiter: LoginLimiterDep
) -> TokenPair:
    client_ip = request.client.host if request.client else None
    await check_login_allowed(limiter, settings, email=body.email, client_ip=client_ip)
    return _token_pair(settings, await service.login(session, settings, body.email, body.password))


@router.post("/refresh", response_model=TokenPair)
async def refresh(body: RefreshRequest, session: SessionDep, settings: SettingsDep) -> TokenPair:
    try:
        signed_in = await service.refresh(session, settings, body.refresh_token)
    except RefreshTokenReused:
        # The family's revocation is the point of detecting reuse: it must survive this 401.
        await session.commit()
        raise
    return _token_pair(settings, signed_in)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
async def logout(body: RefreshRequest, session: SessionDep, settings: SettingsDep) -> None:
    await service.logout(session, settings, body.refresh_token)


@router.get("/me", response_model=UserRead)
async def me(user: CurrentUser) -> UserRead:
    return UserRead.of(user)


@router.patch("/me", response_model=UserRead)
async def update_me(body: OwnPreferences, user: CurrentUser, session: SessionDep) -> UserRead:
    """Change your own profile: name, language, signature on WhatsApp, what notifies you."""
    return UserRead.of(await users.update_own_preferences(session, user, body))


@router.post("/me/password", response_model=TokenPair)
async def change_password(
    body: PasswordChange, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> TokenPair:
    """Change your password, giving the current one (403 `wrong_current_password` otherwise). Your other sessions
    end; this one continues with the tokens returned."""
    signed_in = await service.change_password(session, settings, user, body.current_password, body.new_password)
    return _token_pair(settings, signed_in)
