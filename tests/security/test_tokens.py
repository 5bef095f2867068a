"""Forged, misused and stale tokens get 401 with a JSON `detail`/`code`, over REST and at the Socket.IO
handshake alike; and sign-in attempts are rate-limited per email and per IP address.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import jwt
import pytest
import socketio
from fastapi import FastAPI
from sqlalchemy import delete

from tests.conftest import TEST_PASSWORD, MakeUser
from tests.live_server import LiveServer, connect_socket
from zapdesk.app import create_api
from zapdesk.auth.tokens import ALGORITHM, issue_access_token, issue_refresh_token
from zapdesk.config import Settings
from zapdesk.context import AppContext
from zapdesk.db.base import utcnow
from zapdesk.users.models import Role, User

WRONG_SECRET = "not-the-server-secret-" + "w" * 20
# The HS512 forgery uses the server's (HS256-sized) secret on purpose.
pytestmark = pytest.mark.filterwarnings("ignore:The HMAC key is .* bytes long")


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _access_claims(user: User, **changes: Any) -> dict[str, Any]:
    now = utcnow()
    return {
        "sub": str(user.id),
        "role": "admin",
        "typ": "access",
        "iat": now,
        "exp": now + timedelta(minutes=5),
    } | changes


def _unsigned(claims: dict[str, Any], alg: str) -> str:
    payload = {key: int(value.timestamp()) if hasattr(value, "timestamp") else value for key, value in claims.items()}
    return f"{_b64({'alg': alg, 'typ': 'JWT'})}.{_b64(payload)}."


# name -> (make the token for `user` with the server's `settings`, expected `code`)
BAD_TOKENS: dict[str, tuple[Callable[[Settings, User], str], str]] = {
    "alg none": (lambda _s, user: _unsigned(_access_claims(user), "none"), "token_invalid"),
    "alg None, capitalised": (lambda _s, user: _unsigned(_access_claims(user), "None"), "token_invalid"),
    "HS256 header, no signature": (lambda _s, user: _unsigned(_access_claims(user), "HS256"), "token_invalid"),
    "signed with a wrong secret": (
        lambda _s, user: jwt.encode(_access_claims(user), WRONG_SECRET, algorithm=ALGORITHM),
        "token_invalid",
    ),
    "right secret, another algorithm (HS512)": (
        lambda s, user: jwt.encode(_access_claims(user), s.jwt_secret, algorithm="HS512"),
        "token_invalid",
    ),
    "signed with the refresh secret": (
        lambda s, user: jwt.encode(_access_claims(user), s.jwt_refresh_secret, algorithm=ALGORITHM),
        "token_invalid",
    ),
    "a refresh token": (lambda s, user: issue_refresh_token(s, user.id)[0], "token_invalid"),
    "expired": (
        lambda s, user: jwt.encode(
            _access_claims(user, exp=utcnow() - timedelta(seconds=5)), s.jwt_secret, algorithm=ALGORITHM
        ),
        "token_expired",
    ),
    "no expiry": (
        lambda s, user: jwt.encode(
            {key: value for key, value in _access_claims(user).items() if key != "exp"}, s.jwt_secret, ALGORITHM
        ),
        "token_invalid",
    ),
    "no type": (
        lambda s, user: jwt.encode(
            {key: value for key, value in _access_claims(user).items() if key != "typ"}, s.jwt_secret, ALGORITHM
        ),
        "token_invalid",
    ),
    "subject not a user id": (
        lambda s, user: jwt.encode(_access_claims(user, sub="admin"), s.jwt_secret, algorithm=ALGORITHM),
        "token_invalid",
    ),
    "garbage": (lambda _s, _user: "definitely.not.a-jwt", "token_invalid"),
    "empty segments": (lambda _s, _user: "..", "token_invalid"),
    "not even dotted": (lambda _s, _user: "Zm9vYmFy", "token_invalid"),
}


async def test_bad_access_tokens_get_401_with_a_json_code_over_rest(
    client: httpx.AsyncClient, make_user: MakeUser, settings: Settings
) -> None:
    user = await make_user(role=Role.AGENT)
    answers: dict[str, tuple[int, object, str | None]] = {}
    for kind, (make, _code) in BAD_TOKENS.items():
        response = await client.get("/api/users", headers={"Authorization": f"Bearer {make(settings, user)}"})
        body = response.json()
        detail_ok = isinstance(body.get("detail"), str) and bool(body["detail"])
        answers[kind] = (
            response.status_code,
            body.get("code") if detail_ok else body,
            response.headers.get("www-authenticate"),
        )

    assert answers == {kind: (401, code, "Bearer") for kind, (_make, code) in BAD_TOKENS.items()}


async def test_bad_access_tokens_are_refused_at_the_socket_handshake(
    live_server: LiveServer, make_user: MakeUser, settings: Settings
) -> None:
    user = await make_user(role=Role.AGENT)
    refusals = {}
    for kind, (make, _code) in BAD_TOKENS.items():
        with pytest.raises(socketio.exceptions.ConnectionError) as refused:
            await connect_socket(live_server.url, make(settings, user))
        refusals[kind] = getattr(refused.value, "refusal", None)

    expected = {kind: code for kind, (_make, code) in BAD_TOKENS.items()}
    assert {kind: (refusal or {}).get("data", {}).get("code") for kind, refusal in refusals.items()} == expected
    assert live_server.assembled.realtime.sio.manager.rooms.get("/", {}).get("agents") is None


async def test_an_access_token_is_not_a_refresh_token(
    client: httpx.AsyncClient, make_user: MakeUser, settings: Settings
) -> None:
    user = await make_user()
    access = issue_access_token(settings, user.id, user.role)

    for path in ("/api/auth/refresh", "/api/auth/logout"):
        response = await client.post(path, json={"refresh_token": access})
        assert response.status_code == 401, path
        assert response.json()["code"] == "token_invalid"


async def test_tokens_of_a_deleted_user_are_refused_over_rest_and_at_the_handshake(
    live_server: LiveServer, make_user: MakeUser, context: AppContext, settings: Settings
) -> None:
    user = await make_user(role=Role.ADMIN)
    access = issue_access_token(settings, user.id, user.role)
    async with context.sessionmaker() as session:
        await session.execute(delete(User).where(User.id == user.id))
        await session.commit()

    async with live_server.http(headers={"Authorization": f"Bearer {access}"}) as http:
        response = await http.get("/api/auth/me")
    with pytest.raises(socketio.exceptions.ConnectionError) as refused:
        await connect_socket(live_server.url, access)

    assert response.status_code == 401
    assert response.json()["code"] == "user_gone"
    assert getattr(refused.value, "refusal", {})["data"] == {"code": "user_gone"}


# --- sign-in rate limit ----------------------------------------------------------------------------------------


def _client_from(app: FastAPI, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://zapdesk.test")


async def _attempt(client: httpx.AsyncClient, email: str, password: str = "wrong password") -> httpx.Response:  # noqa: S107
    return await client.post("/api/auth/login", json={"email": email, "password": password})


@pytest.fixture
def limited_app(context: AppContext) -> FastAPI:
    context.settings.login_attempts_per_minute = 3
    return create_api(context)


async def test_sign_in_attempts_are_limited_per_email_across_addresses(
    limited_app: FastAPI, make_user: MakeUser
) -> None:
    user = await make_user()
    answers = []
    for n in range(4):
        async with _client_from(limited_app, f"198.51.100.{n + 1}") as client:
            answers.append(await _attempt(client, user.email))
    # Even the right password waits now: the limit protects the account, not the guess.
    async with _client_from(limited_app, "198.51.100.99") as client:
        right = await _attempt(client, user.email, TEST_PASSWORD)

    assert [answer.status_code for answer in answers] == [401, 401, 401, 429]
    assert right.status_code == 429
    for refused in (answers[-1], right):
        assert refused.json()["code"] == "too_many_requests"
        assert 1 <= int(refused.headers["retry-after"]) <= 60


async def test_sign_in_attempts_are_limited_per_address_across_emails(
    limited_app: FastAPI, make_user: MakeUser
) -> None:
    async with _client_from(limited_app, "203.0.113.7") as client:
        answers = [await _attempt(client, f"nobody{n}@example.com") for n in range(4)]
    async with _client_from(limited_app, "203.0.113.8") as other:
        elsewhere = await _attempt(other, "nobody0@example.com")

    assert [answer.status_code for answer in answers] == [401, 401, 401, 429]
    assert int(answers[-1].headers["retry-after"]) >= 1
    assert answers[-1].json()["detail"]
    # Another address is not held back by this one (its email has one attempt left).
    assert elsewhere.status_code == 401
