"""API tokens: made by administrators with scopes, shown once, stored hashed, listed with their last use,
revocable at once; each one allows exactly what its scopes say (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select, update

from tests.conftest import MakeUser
from zapdesk.auth.models import ApiToken
from zapdesk.context import AppContext
from zapdesk.db.base import utcnow
from zapdesk.db.uow import unit_of_work
from zapdesk.users.models import Role, User

Headers = Callable[[User], dict[str, str]]


async def make_token(client: httpx.AsyncClient, headers: dict[str, str], *scopes: str, **extra: Any) -> dict[str, Any]:
    response = await client.post("/api/tokens", json={"name": "n8n", "scopes": list(scopes), **extra}, headers=headers)
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def bearer(token: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token['token']}"}


async def test_a_token_is_shown_once_and_only_its_hash_is_stored(
    client: httpx.AsyncClient, context: AppContext, make_user: MakeUser, auth_headers: Headers
) -> None:
    admin = await make_user(role=Role.ADMIN)

    made = await make_token(client, auth_headers(admin), "read", "send")
    listed = (await client.get("/api/tokens", headers=auth_headers(admin))).json()

    assert made["token"].startswith("zdk_") and len(made["token"]) > 40
    assert made["scopes"] == ["read", "send"] and made["prefix"] == made["token"][:12]
    assert [token["id"] for token in listed] == [made["id"]] and "token" not in listed[0]
    async with unit_of_work(context.sessionmaker) as session:
        stored = await session.scalar(select(ApiToken))
    assert stored is not None
    assert stored.token_hash == hashlib.sha256(made["token"].encode()).hexdigest()
    assert made["token"] not in (stored.token_hash, stored.prefix, stored.name)


async def test_a_token_with_send_cannot_list_users_and_one_with_read_cannot_change_anything(
    client: httpx.AsyncClient, make_user: MakeUser, auth_headers: Headers
) -> None:
    admin = await make_user(role=Role.ADMIN)
    sender = await make_token(client, auth_headers(admin), "send")
    reader = await make_token(client, auth_headers(admin), "read")
    master = await make_token(client, auth_headers(admin), "admin")

    send_lists_users = await client.get("/api/users", headers=bearer(sender))
    send_reads_tickets = await client.get("/api/tickets", headers=bearer(sender))
    read_reads_tickets = await client.get("/api/tickets", headers=bearer(reader))
    read_lists_users = await client.get("/api/users", headers=bearer(reader))
    read_creates_queue = await client.post("/api/queues", json={"name": "Nova"}, headers=bearer(reader))
    admin_creates_queue = await client.post("/api/queues", json={"name": "Nova"}, headers=bearer(master))

    assert (send_lists_users.status_code, send_lists_users.json()["code"]) == (403, "api_token_scope")
    assert send_reads_tickets.status_code == 403
    assert read_reads_tickets.status_code == 200
    assert read_lists_users.status_code == 403  # an administrator's list: only the admin scope
    assert read_creates_queue.status_code == 403
    assert admin_creates_queue.status_code == 201


async def test_a_revoked_token_is_refused_at_once(
    client: httpx.AsyncClient, make_user: MakeUser, auth_headers: Headers
) -> None:
    admin = await make_user(role=Role.ADMIN)
    token = await make_token(client, auth_headers(admin), "read")
    assert (await client.get("/api/tickets", headers=bearer(token))).status_code == 200

    revoked = await client.delete(f"/api/tokens/{token['id']}", headers=auth_headers(admin))
    refused = await client.get("/api/tickets", headers=bearer(token))

    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert (refused.status_code, refused.json()["code"]) == (401, "api_token_revoked")


async def test_an_expired_token_and_one_whose_maker_is_no_longer_admin_are_refused(
    client: httpx.AsyncClient, context: AppContext, make_user: MakeUser, auth_headers: Headers
) -> None:
    admin, other_admin = await make_user(role=Role.ADMIN), await make_user(role=Role.ADMIN)
    soon = (utcnow() + timedelta(hours=1)).isoformat()
    expiring = await make_token(client, auth_headers(admin), "read", expires_at=soon)
    orphan = await make_token(client, auth_headers(other_admin), "read")
    async with unit_of_work(context.sessionmaker) as session:
        await session.execute(
            update(ApiToken).where(ApiToken.id == expiring["id"]).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.execute(update(User).where(User.id == other_admin.id).values(role=Role.AGENT))

    expired = await client.get("/api/tickets", headers=bearer(expiring))
    demoted = await client.get("/api/tickets", headers=bearer(orphan))

    assert (expired.status_code, expired.json()["code"]) == (401, "api_token_expired")
    assert (demoted.status_code, demoted.json()["code"]) == (401, "api_token_invalid")


async def test_last_use_is_recorded(client: httpx.AsyncClient, make_user: MakeUser, auth_headers: Headers) -> None:
    admin = await make_user(role=Role.ADMIN)
    token = await make_token(client, auth_headers(admin), "read")
    assert token["last_used_at"] is None

    await client.get("/api/tickets", headers=bearer(token))
    (listed,) = (await client.get("/api/tokens", headers=auth_headers(admin))).json()

    assert listed["last_used_at"] is not None


async def test_an_unknown_token_and_agents_are_refused(
    client: httpx.AsyncClient, make_user: MakeUser, auth_headers: Headers
) -> None:
    agent = await make_user(role=Role.AGENT)

    unknown = await client.get("/api/tickets", headers={"Authorization": "Bearer zdk_not-a-token"})
    agent_makes = await client.post("/api/tokens", json={"name": "x", "scopes": ["read"]}, headers=auth_headers(agent))

    assert (unknown.status_code, unknown.json()["code"]) == (401, "api_token_invalid")
    assert agent_makes.status_code == 403
