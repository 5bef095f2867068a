"""Tokens: refresh rotation, reuse detection, sign-out, and the access tokens the API refuses."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import jwt

from tests.conftest import MakeUser
from tests.signin.helpers import bearer, sign_in
from zapdesk.auth.tokens import ALGORITHM
from zapdesk.config import Settings
from zapdesk.db.base import utcnow
from zapdesk.users.models import Role, User


async def _refresh(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await client.post("/api/auth/refresh", json={"refresh_token": refresh_token})


async def _signed_in_user(client: httpx.AsyncClient, make_user: MakeUser) -> tuple[User, dict[str, Any]]:
    user = await make_user()
    return user, await sign_in(client, user.email)


async def test_refresh_issues_a_new_pair_that_works(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user, tokens = await _signed_in_user(client, make_user)

    response = await _refresh(client, tokens["refresh_token"])

    assert response.status_code == 200
    renewed = response.json()
    assert renewed["refresh_token"] != tokens["refresh_token"]
    assert renewed["user"]["id"] == user.id
    me = await client.get("/api/auth/me", headers=bearer(renewed["access_token"]))
    assert me.status_code == 200
    assert (await _refresh(client, renewed["refresh_token"])).status_code == 200


async def test_reused_refresh_token_is_rejected_and_revokes_its_whole_family(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    _user, tokens = await _signed_in_user(client, make_user)
    newer = (await _refresh(client, tokens["refresh_token"])).json()

    replay = await _refresh(client, tokens["refresh_token"])

    assert replay.status_code == 401
    assert replay.json()["code"] == "refresh_token_reused"
    # The legitimate holder's newer token belongs to the same family: it stops working too.
    after = await _refresh(client, newer["refresh_token"])
    assert after.status_code == 401
    assert after.json()["code"] == "refresh_token_revoked"


async def test_reuse_in_one_session_leaves_the_users_other_sessions_alone(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    user, laptop = await _signed_in_user(client, make_user)
    phone = await sign_in(client, user.email)
    await _refresh(client, laptop["refresh_token"])

    await _refresh(client, laptop["refresh_token"])

    assert (await _refresh(client, phone["refresh_token"])).status_code == 200


async def test_logout_revokes_the_family(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    _user, tokens = await _signed_in_user(client, make_user)
    newer = (await _refresh(client, tokens["refresh_token"])).json()

    response = await client.post("/api/auth/logout", json={"refresh_token": newer["refresh_token"]})

    assert response.status_code == 204
    assert response.content == b""
    refused = await _refresh(client, newer["refresh_token"])
    assert refused.status_code == 401
    assert refused.json()["code"] == "refresh_token_revoked"


async def test_logout_with_a_forged_token_is_401(client: httpx.AsyncClient) -> None:
    forged = jwt.encode(
        {"sub": "1", "typ": "refresh", "jti": "a", "fam": "b", "exp": 9999999999}, "guessed-" * 5, ALGORITHM
    )

    response = await client.post("/api/auth/logout", json={"refresh_token": forged})

    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


async def test_expired_access_token_is_401_token_expired(
    client: httpx.AsyncClient, make_user: MakeUser, settings: Settings
) -> None:
    user = await make_user()
    past = utcnow() - timedelta(minutes=1)
    expired = jwt.encode(
        {"sub": str(user.id), "role": user.role, "typ": "access", "iat": past - timedelta(minutes=15), "exp": past},
        settings.jwt_secret,
        algorithm=ALGORITHM,
    )

    response = await client.get("/api/auth/me", headers=bearer(expired))

    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


async def test_access_token_signed_with_another_secret_is_401(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user()
    claims = {"sub": str(user.id), "role": "admin", "typ": "access", "exp": utcnow() + timedelta(minutes=5)}
    forged = jwt.encode(claims, "not-the-server-secret-" + "z" * 20, algorithm=ALGORITHM)

    response = await client.get("/api/auth/me", headers=bearer(forged))

    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


async def test_tampered_access_token_is_401(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    _user, tokens = await _signed_in_user(client, make_user)
    header, payload, signature = tokens["access_token"].split(".")
    tampered = ".".join((header, payload, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")))

    response = await client.get("/api/auth/me", headers=bearer(tampered))

    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


async def test_refresh_token_is_not_accepted_as_an_access_token(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    _user, tokens = await _signed_in_user(client, make_user)

    response = await client.get("/api/auth/me", headers=bearer(tokens["refresh_token"]))

    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


async def test_access_token_is_not_accepted_as_a_refresh_token(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    _user, tokens = await _signed_in_user(client, make_user)

    response = await _refresh(client, tokens["access_token"])

    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


async def test_tokens_of_a_deleted_user_stop_working(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user, tokens = await _signed_in_user(client, make_user)
    admin = await make_user(role=Role.ADMIN)
    admin_tokens = await sign_in(client, admin.email)
    deleted = await client.delete(f"/api/users/{user.id}", headers=bearer(admin_tokens["access_token"]))
    assert deleted.status_code == 204

    me = await client.get("/api/auth/me", headers=bearer(tokens["access_token"]))
    renewed = await _refresh(client, tokens["refresh_token"])

    assert me.status_code == 401
    assert me.json()["code"] == "user_gone"
    assert renewed.status_code == 401
