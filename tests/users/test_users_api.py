"""Administrators manage users; everyone signed in may read the directory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import EventLog, MakeUser
from tests.signin.helpers import sign_in
from zapdesk.queues.models import Queue
from zapdesk.users.models import Role, User

Headers = Callable[[User], dict[str, str]]


@pytest.fixture
async def admin(make_user: MakeUser) -> User:
    return await make_user(role=Role.ADMIN, name="Admin", email="admin@example.com")


@pytest.fixture
async def as_admin(admin: User, auth_headers: Headers) -> dict[str, str]:
    return auth_headers(admin)


async def _queue(session: AsyncSession, name: str) -> Queue:
    queue = Queue(name=name)
    session.add(queue)
    await session.commit()
    return queue


def _new_user(**overrides: Any) -> dict[str, Any]:
    return {"name": "Fernanda", "email": "fernanda@example.com", "password": "s3cret-enough", **overrides}


async def test_admin_creates_an_agent_who_can_then_sign_in(
    client: httpx.AsyncClient, as_admin: dict[str, str], session: AsyncSession
) -> None:
    support = await _queue(session, "Suporte")

    response = await client.post(
        "/api/users", json=_new_user(email="Fernanda@Example.com", queue_ids=[support.id]), headers=as_admin
    )

    assert response.status_code == 201
    created = response.json()
    assert set(created) == {
        "id",
        "name",
        "email",
        "role",
        "queue_ids",
        "signature",
        "language",
        "notifications",
        "created_at",
    }
    assert (created["email"], created["role"], created["queue_ids"]) == ("fernanda@example.com", "agent", [support.id])
    signed_in = await sign_in(client, "fernanda@example.com", "s3cret-enough")
    assert signed_in["user"]["id"] == created["id"]


async def test_duplicate_email_is_409_whatever_its_case(
    client: httpx.AsyncClient, as_admin: dict[str, str], admin: User
) -> None:
    response = await client.post("/api/users", json=_new_user(email="ADMIN@example.com"), headers=as_admin)

    assert response.status_code == 409
    assert response.json()["code"] == "email_taken"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_new_user(password="short"), "password"),
        (_new_user(role="owner"), "role"),
        (_new_user(email="not-an-email"), "email"),
        (_new_user(name="   "), "name"),
        (_new_user(name=42), "name"),
        (_new_user(queue_ids="1"), "queue_ids"),
        (_new_user(is_superuser=True), "is_superuser"),
    ],
)
async def test_invalid_user_bodies_are_422_naming_the_field(
    client: httpx.AsyncClient, as_admin: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = await client.post("/api/users", json=body, headers=as_admin)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert field in response.json()["detail"]


async def test_each_field_error_has_a_type_and_its_limits_for_clients_that_word_it_themselves(
    client: httpx.AsyncClient, as_admin: dict[str, str]
) -> None:
    body = _new_user(password="short", email="not-an-email")

    response = await client.post("/api/users", json=body, headers=as_admin)

    errors = {tuple(error["loc"]): error for error in response.json()["errors"]}
    assert {key: (error["type"], error["ctx"]) for key, error in errors.items()} == {
        ("body", "password"): ("string_too_short", {"min_length": 8}),
        ("body", "email"): ("email_invalid", {}),
    }
    assert "not-an-email" not in response.text  # what was typed is not echoed back


async def test_unknown_queue_ids_are_a_409_conflict_with_what_exists(
    client: httpx.AsyncClient, as_admin: dict[str, str]
) -> None:
    response = await client.post("/api/users", json=_new_user(queue_ids=[404, 405]), headers=as_admin)

    assert response.status_code == 409
    assert response.json() == {"detail": "These queues do not exist: 404, 405.", "code": "unknown_queue"}


async def test_malformed_json_is_400(client: httpx.AsyncClient, as_admin: dict[str, str]) -> None:
    response = await client.post(
        "/api/users", content=b'{"name": ', headers={**as_admin, "Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json"


async def test_list_pages_through_users_with_a_cursor(
    client: httpx.AsyncClient, as_admin: dict[str, str], make_user: MakeUser, admin: User
) -> None:
    agents = [await make_user(name=f"Agent {n}") for n in range(3)]

    first = (await client.get("/api/users", params={"limit": 2}, headers=as_admin)).json()
    second = await client.get("/api/users", params={"limit": 2, "cursor": first["next_cursor"]}, headers=as_admin)

    assert [user["id"] for user in first["items"]] == [admin.id, agents[0].id]
    assert first["next_cursor"]
    assert [user["id"] for user in second.json()["items"]] == [agents[1].id, agents[2].id]
    assert second.json()["next_cursor"] is None
    assert "password" not in first["items"][0] and "password_hash" not in second.text


async def test_list_searches_name_and_email_ignoring_case(
    client: httpx.AsyncClient, as_admin: dict[str, str], make_user: MakeUser
) -> None:
    gabriel = await make_user(name="Gabriel Souza", email="gabriel@example.com")
    helena = await make_user(name="Helena", email="helena.souza@example.com")
    await make_user(name="Igor", email="igor@example.com")

    by_surname = (await client.get("/api/users", params={"search": "SOUZA"}, headers=as_admin)).json()
    literal_percent = (await client.get("/api/users", params={"search": "%"}, headers=as_admin)).json()

    assert [user["id"] for user in by_surname["items"]] == [gabriel.id, helena.id]
    assert literal_percent["items"] == []


@pytest.mark.parametrize("cursor", ["not-a-cursor", "1.2", "-5", "12345678901234567", "WyJhIHN0cmluZyJd"])
async def test_a_cursor_without_the_shape_of_the_lists_cursors_is_422(
    client: httpx.AsyncClient, as_admin: dict[str, str], cursor: str
) -> None:
    response = await client.get("/api/users", params={"cursor": cursor}, headers=as_admin)

    assert response.status_code == 422
    assert response.json()["errors"][0]["type"] == "string_pattern_mismatch"


@pytest.mark.parametrize(
    ("path", "status"), [("/api/users/999999", 404), ("/api/users/abc", 404), (f"/api/users/{2**64}", 422)]
)
async def test_unknown_or_malformed_ids_are_4xx_json(
    client: httpx.AsyncClient, as_admin: dict[str, str], path: str, status: int
) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        response = await client.request(
            method, path, json={"name": "X"} if method == "PATCH" else None, headers=as_admin
        )

        assert response.status_code == status, method
        assert "detail" in response.json() and "code" in response.json()


async def test_patch_changes_only_the_fields_sent(
    client: httpx.AsyncClient, as_admin: dict[str, str], make_user: MakeUser, session: AsyncSession
) -> None:
    agent = await make_user(name="Julia", email="julia@example.com")
    sales = await _queue(session, "Vendas")

    response = await client.patch(
        f"/api/users/{agent.id}", json={"role": "admin", "queue_ids": [sales.id]}, headers=as_admin
    )

    assert response.status_code == 200
    assert response.json() | {"created_at": None} == {
        "id": agent.id,
        "name": "Julia",
        "email": "julia@example.com",
        "role": "admin",
        "queue_ids": [sales.id],
        "signature": True,
        "language": None,
        "notifications": {"sound": True, "desktop": True, "transfers": True, "mentions": True, "messages": True},
        "created_at": None,
    }


async def test_patch_with_null_for_a_required_field_is_422(
    client: httpx.AsyncClient, as_admin: dict[str, str], admin: User
) -> None:
    response = await client.patch(f"/api/users/{admin.id}", json={"name": None}, headers=as_admin)

    assert response.status_code == 422
    assert "name cannot be null" in response.json()["detail"]


async def test_patch_to_an_email_in_use_is_409(
    client: httpx.AsyncClient, as_admin: dict[str, str], make_user: MakeUser
) -> None:
    agent = await make_user(email="kaique@example.com")

    response = await client.patch(f"/api/users/{agent.id}", json={"email": "Admin@Example.com"}, headers=as_admin)

    assert response.status_code == 409
    assert response.json()["code"] == "email_taken"


async def test_new_password_works_and_signs_out_existing_sessions(
    client: httpx.AsyncClient, as_admin: dict[str, str], make_user: MakeUser
) -> None:
    agent = await make_user(email="lara@example.com")
    old_session = await sign_in(client, "lara@example.com")

    response = await client.patch(f"/api/users/{agent.id}", json={"password": "brand-new-pass"}, headers=as_admin)

    assert response.status_code == 200
    refresh = await client.post("/api/auth/refresh", json={"refresh_token": old_session["refresh_token"]})
    assert refresh.status_code == 401
    assert (await sign_in(client, "lara@example.com", "brand-new-pass"))["user"]["id"] == agent.id


async def test_the_last_admin_cannot_be_demoted_or_deleted(
    client: httpx.AsyncClient, as_admin: dict[str, str], admin: User
) -> None:
    demote = await client.patch(f"/api/users/{admin.id}", json={"role": "agent"}, headers=as_admin)
    delete = await client.delete(f"/api/users/{admin.id}", headers=as_admin)

    assert demote.status_code == delete.status_code == 409
    assert demote.json()["code"] == delete.json()["code"] == "last_admin"


async def test_an_admin_may_step_down_when_another_admin_remains(
    client: httpx.AsyncClient, as_admin: dict[str, str], admin: User, make_user: MakeUser
) -> None:
    await make_user(role=Role.ADMIN)

    response = await client.patch(f"/api/users/{admin.id}", json={"role": "agent"}, headers=as_admin)

    assert response.status_code == 200
    assert response.json()["role"] == "agent"


async def test_deleted_user_is_gone(client: httpx.AsyncClient, as_admin: dict[str, str], make_user: MakeUser) -> None:
    agent = await make_user()

    response = await client.delete(f"/api/users/{agent.id}", headers=as_admin)

    assert response.status_code == 204
    assert (await client.get(f"/api/users/{agent.id}", headers=as_admin)).status_code == 404


async def test_directory_shows_colleagues_without_their_emails(
    client: httpx.AsyncClient, make_user: MakeUser, auth_headers: Headers, session: AsyncSession
) -> None:
    sales = await _queue(session, "Vendas")
    bia = await make_user(name="bia", queues=[sales])
    caio = await make_user(role=Role.ADMIN, name="Caio")

    response = await client.get("/api/users/directory", headers=auth_headers(bia))

    assert response.status_code == 200
    assert response.json() == [
        {"id": bia.id, "name": "bia", "role": "agent", "queue_ids": [sales.id]},
        {"id": caio.id, "name": "Caio", "role": "admin", "queue_ids": []},
    ]


async def test_user_changes_are_announced_to_admins_and_the_user_after_commit(
    client: httpx.AsyncClient, as_admin: dict[str, str], published: EventLog
) -> None:
    created = (await client.post("/api/users", json=_new_user(), headers=as_admin)).json()
    await client.patch(f"/api/users/{created['id']}", json={"role": "admin"}, headers=as_admin)
    await client.delete(f"/api/users/{created['id']}", headers=as_admin)
    refused = await client.post("/api/users", json=_new_user(email="admin@example.com"), headers=as_admin)

    assert refused.status_code == 409
    assert [(event.name, event.payload["id"]) for event in published.events] == [
        ("user.created", created["id"]),
        ("user.updated", created["id"]),
        ("user.removed", created["id"]),
    ]
    [updated] = published.named("user.updated")
    assert updated.payload["role"] == "admin"
    assert set(updated.rooms) == {"admins", f"user:{created['id']}"}
