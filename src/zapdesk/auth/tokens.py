"""Signed JWTs: short-lived access tokens and rotating refresh tokens, each with its own secret."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from zapdesk.config import Settings
from zapdesk.db.base import utcnow
from zapdesk.errors import Unauthorized

ALGORITHM = "HS256"
ACCESS = "access"
REFRESH = "refresh"


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: int
    role: str


@dataclass(frozen=True, slots=True)
class RefreshClaims:
    user_id: int
    token_id: str
    family_id: str
    expires_at: datetime


def issue_access_token(settings: Settings, user_id: int, role: str) -> str:
    now = utcnow()
    claims = {
        "sub": str(user_id),
        "role": role,
        "typ": ACCESS,
        "iat": now,
        "exp": now + timedelta(minutes=settings.access_token_minutes),
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM)


def issue_refresh_token(settings: Settings, user_id: int, family_id: str | None = None) -> tuple[str, RefreshClaims]:
    now = utcnow()
    refresh = RefreshClaims(
        user_id=user_id,
        token_id=secrets.token_hex(16),
        family_id=family_id or secrets.token_hex(16),
        expires_at=now + timedelta(days=settings.refresh_token_days),
    )
    claims = {
        "sub": str(user_id),
        "typ": REFRESH,
        "jti": refresh.token_id,
        "fam": refresh.family_id,
        "iat": now,
        "exp": refresh.expires_at,
    }
    return jwt.encode(claims, settings.jwt_refresh_secret, algorithm=ALGORITHM), refresh


def _decode(token: str, secret: str, expected_type: str) -> dict[str, object]:
    try:
        claims: dict[str, object] = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub", "typ"]}
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("Your session has expired. Please sign in again.", code="token_expired") from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized("The token is invalid.", code="token_invalid") from exc
    if claims.get("typ") != expected_type:
        raise Unauthorized("The token is invalid.", code="token_invalid")
    return claims


def _user_id(claims: dict[str, object]) -> int:
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.isdigit():
        raise Unauthorized("The token is invalid.", code="token_invalid")
    return int(subject)


def decode_access_token(settings: Settings, token: str) -> AccessClaims:
    claims = _decode(token, settings.jwt_secret, ACCESS)
    return AccessClaims(user_id=_user_id(claims), role=str(claims.get("role", "")))


def decode_refresh_token(settings: Settings, token: str) -> RefreshClaims:
    claims = _decode(token, settings.jwt_refresh_secret, REFRESH)
    token_id, family_id, expires = claims.get("jti"), claims.get("fam"), claims.get("exp")
    if not isinstance(token_id, str) or not isinstance(family_id, str) or not isinstance(expires, int):
        raise Unauthorized("The token is invalid.", code="token_invalid")
    return RefreshClaims(
        user_id=_user_id(claims),
        token_id=token_id,
        family_id=family_id,
        expires_at=datetime.fromtimestamp(expires, tz=utcnow().tzinfo),
    )
