"""Signing in: credentials become an access token, a refresh token and the user."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import TEST_PASSWORD, MakeUser
from tests.signin.helpers import bearer, sign_in
from zapdesk.queues.models import Queue
from zapdesk.users.models import Role


async def test_login_returns_both_tokens_and_the_user(
    client: httpx.AsyncClient, make_user: MakeUser, session: AsyncSession
) -> None:
    sales = Queue(name="Vendas")
    session.add(sales)
    await session.commit()
    user = await make_user(role=Role.AGENT, name="Ana", email="ana@example.com", queues=[sales])

    body = await sign_in(client, "ana@example.com")

    assert body["token_type"] == "bearer"
    assert body["access_token"] and body["refresh_token"]
    assert body["expires_in"] == 15 * 60
    assert body["user"] == {
        "id": user.id,
        "name": "Ana",
        "email": "ana@example.com",
        "role": "agent",
        "queue_ids": [sales.id],
        "signature": True,
        "language": None,
        "notifications": {"sound": True, "desktop": True, "transfers": True, "mentions": True, "messages": True},
        "created_at": body["user"]["created_at"],
    }


async def test_login_ignores_the_case_of_the_email(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    await make_user(email="bruno@example.com")

    body = await sign_in(client, "  Bruno@Example.COM ")

    assert body["user"]["email"] == "bruno@example.com"


async def test_wrong_password_and_unknown_email_get_the_same_401(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    await make_user(email="carla@example.com")

    wrong_password = await client.post("/api/auth/login", json={"email": "carla@example.com", "password": "nope"})
    unknown_email = await client.post("/api/auth/login", json={"email": "nobody@example.com", "password": "nope"})

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json()
    assert wrong_password.json()["code"] == "invalid_credentials"


async def test_login_with_missing_fields_is_a_422_json_error(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/auth/login", json={"email": "x@example.com"})

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert "password" in response.json()["detail"]


async def test_me_returns_the_signed_in_user(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    user = await make_user(role=Role.ADMIN, email="dora@example.com")
    body = await sign_in(client, "dora@example.com", TEST_PASSWORD)

    response = await client.get("/api/auth/me", headers=bearer(body["access_token"]))

    assert response.status_code == 200
    assert response.json()["id"] == user.id
    assert response.json()["role"] == "admin"
    assert "password_hash" not in response.text


async def test_me_without_a_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/auth/me")

    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == "Bearer"
