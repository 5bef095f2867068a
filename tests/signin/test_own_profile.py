"""Every user edits their own profile: name, language, signature, what notifies them, and their password (giving
the current one); never their role or queues."""

from __future__ import annotations

import httpx

from tests.conftest import TEST_PASSWORD, EventLog, MakeUser
from tests.signin.helpers import bearer, sign_in

NEW_PASSWORD = "uma senha nova e longa"


async def test_a_user_changes_their_name_language_and_what_notifies_them(
    client: httpx.AsyncClient, make_user: MakeUser, published: EventLog
) -> None:
    user = await make_user(name="Ana", email="ana@example.com")
    tokens = await sign_in(client, "ana@example.com")
    choices = {"sound": False, "desktop": True, "transfers": True, "mentions": False, "messages": False}

    response = await client.patch(
        "/api/auth/me",
        json={"name": "Ana Paula", "language": "en", "notifications": choices},
        headers=bearer(tokens["access_token"]),
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["language"], body["notifications"]) == ("Ana Paula", "en", choices)
    me = (await client.get("/api/auth/me", headers=bearer(tokens["access_token"]))).json()
    assert (me["name"], me["language"], me["notifications"]) == ("Ana Paula", "en", choices)
    [updated] = published.named("user.updated")
    assert (updated.payload["id"], updated.payload["name"]) == (user.id, "Ana Paula")


async def test_a_null_language_follows_the_browser_again(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    await make_user(email="bia@example.com")
    headers = bearer((await sign_in(client, "bia@example.com"))["access_token"])
    await client.patch("/api/auth/me", json={"language": "pt-BR"}, headers=headers)

    response = await client.patch("/api/auth/me", json={"language": None}, headers=headers)

    assert response.status_code == 200
    assert response.json()["language"] is None


async def test_an_unknown_language_or_an_empty_name_is_refused(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    await make_user(name="Caio", email="caio@example.com")
    headers = bearer((await sign_in(client, "caio@example.com"))["access_token"])

    for change in ({"language": "klingon"}, {"name": "   "}, {"role": "admin"}, {"queue_ids": [1]}):
        response = await client.patch("/api/auth/me", json=change, headers=headers)
        assert response.status_code == 422, change
        assert response.json()["code"] == "invalid"

    me = (await client.get("/api/auth/me", headers=headers)).json()
    assert (me["name"], me["role"], me["language"]) == ("Caio", "agent", None)


async def test_a_wrong_current_password_changes_nothing(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    await make_user(email="davi@example.com")
    headers = bearer((await sign_in(client, "davi@example.com"))["access_token"])

    response = await client.post(
        "/api/auth/me/password",
        json={"current_password": "not my password", "new_password": NEW_PASSWORD},
        headers=headers,
    )

    assert response.status_code == 403
    assert response.json()["code"] == "wrong_current_password"
    await sign_in(client, "davi@example.com", TEST_PASSWORD)


async def test_a_new_password_ends_the_other_sessions_and_this_one_goes_on_with_fresh_tokens(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    await make_user(email="eva@example.com")
    elsewhere = await sign_in(client, "eva@example.com")
    here = await sign_in(client, "eva@example.com")

    response = await client.post(
        "/api/auth/me/password",
        json={"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(here["access_token"]),
    )

    assert response.status_code == 200, response.text
    fresh = response.json()
    refreshed = await client.post("/api/auth/refresh", json={"refresh_token": fresh["refresh_token"]})
    assert refreshed.status_code == 200
    stale = await client.post("/api/auth/refresh", json={"refresh_token": elsewhere["refresh_token"]})
    assert stale.status_code == 401
    await sign_in(client, "eva@example.com", NEW_PASSWORD)
    old = await client.post("/api/auth/login", json={"email": "eva@example.com", "password": TEST_PASSWORD})
    assert old.status_code == 401


async def test_a_new_password_too_short_is_refused(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    await make_user(email="fabio@example.com")
    headers = bearer((await sign_in(client, "fabio@example.com"))["access_token"])

    response = await client.post(
        "/api/auth/me/password", json={"current_password": TEST_PASSWORD, "new_password": "curta"}, headers=headers
    )

    assert response.status_code == 422
    await sign_in(client, "fabio@example.com", TEST_PASSWORD)
