"""Queues: administrators manage them; every signed-in user may list them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import EventLog, MakeUser
from zapdesk.queues.models import Queue
from zapdesk.users.models import Role, User

Headers = Callable[[User], dict[str, str]]


@pytest.fixture
async def as_admin(make_user: MakeUser, auth_headers: Headers) -> dict[str, str]:
    return auth_headers(await make_user(role=Role.ADMIN))


async def _create(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> httpx.Response:
    return await client.post("/api/queues", json=body, headers=headers)


async def test_created_queue_has_the_default_colour_no_greeting_and_the_first_menu_number(
    client: httpx.AsyncClient, as_admin: dict[str, str]
) -> None:
    response = await _create(client, as_admin, name="  Vendas ")

    assert response.status_code == 201
    assert response.json() | {"id": 0, "created_at": ""} == {
        "id": 0,
        "name": "Vendas",
        "color": "#6366f1",
        "greeting_message": None,
        "order": 1,
        "description": None,
        "options": [],
        "hours": None,
        "created_at": "",
    }


async def test_colour_is_validated_and_stored_in_lower_case(
    client: httpx.AsyncClient, as_admin: dict[str, str]
) -> None:
    good = await _create(client, as_admin, name="Suporte", color="#1A2B3C")
    short = await _create(client, as_admin, name="Financeiro", color="#abc")
    named = await _create(client, as_admin, name="Financeiro", color="red")

    assert good.json()["color"] == "#1a2b3c"
    assert short.status_code == named.status_code == 422
    assert "color" in short.json()["detail"]


async def test_queue_names_are_unique_ignoring_case(client: httpx.AsyncClient, as_admin: dict[str, str]) -> None:
    await _create(client, as_admin, name="Vendas")

    response = await _create(client, as_admin, name="VENDAS")

    assert response.status_code == 409
    assert response.json()["code"] == "queue_name_taken"


async def test_agents_list_queues_by_name_a_page_at_a_time(
    client: httpx.AsyncClient, as_admin: dict[str, str], make_user: MakeUser, auth_headers: Headers
) -> None:
    for name in ("Suporte", "Financeiro", "Vendas"):
        await _create(client, as_admin, name=name)
    agent = auth_headers(await make_user())

    first = (await client.get("/api/queues", params={"limit": 2}, headers=agent)).json()
    rest = (await client.get("/api/queues", params={"cursor": first["next_cursor"]}, headers=agent)).json()

    assert [queue["name"] for queue in first["items"]] == ["Financeiro", "Suporte"]
    assert [queue["name"] for queue in rest["items"]] == ["Vendas"]
    assert rest["next_cursor"] is None


async def test_patch_renames_and_clears_the_greeting_with_null(
    client: httpx.AsyncClient, as_admin: dict[str, str]
) -> None:
    queue = (await _create(client, as_admin, name="Vendas", greeting_message="Olá! Em que posso ajudar?")).json()

    response = await client.patch(
        f"/api/queues/{queue['id']}", json={"name": "Comercial", "greeting_message": None}, headers=as_admin
    )

    assert response.status_code == 200
    assert (response.json()["name"], response.json()["greeting_message"]) == ("Comercial", None)


async def test_patch_keeping_its_own_name_is_fine_but_taking_another_is_409(
    client: httpx.AsyncClient, as_admin: dict[str, str]
) -> None:
    sales = (await _create(client, as_admin, name="Vendas")).json()
    await _create(client, as_admin, name="Suporte")

    same = await client.patch(f"/api/queues/{sales['id']}", json={"name": "Vendas"}, headers=as_admin)
    taken = await client.patch(f"/api/queues/{sales['id']}", json={"name": "suporte"}, headers=as_admin)

    assert same.status_code == 200
    assert taken.status_code == 409


async def test_patch_with_null_name_is_422(client: httpx.AsyncClient, as_admin: dict[str, str]) -> None:
    queue = (await _create(client, as_admin, name="Vendas")).json()

    response = await client.patch(f"/api/queues/{queue['id']}", json={"name": None}, headers=as_admin)

    assert response.status_code == 422


async def test_deleting_a_queue_removes_it_from_its_agents(
    client: httpx.AsyncClient, as_admin: dict[str, str], make_user: MakeUser, session: AsyncSession
) -> None:
    queue = Queue(name="Vendas")
    session.add(queue)
    await session.commit()
    agent = await make_user(queues=[queue])

    response = await client.delete(f"/api/queues/{queue.id}", headers=as_admin)

    assert response.status_code == 204
    user = (await client.get(f"/api/users/{agent.id}", headers=as_admin)).json()
    assert user["queue_ids"] == []
    assert (await client.get(f"/api/queues/{queue.id}", headers=as_admin)).status_code == 404


async def test_unknown_queue_is_404_json(client: httpx.AsyncClient, as_admin: dict[str, str]) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        response = await client.request(
            method, "/api/queues/4242", json={"name": "X"} if method == "PATCH" else None, headers=as_admin
        )

        assert response.status_code == 404, method
        assert response.json()["code"] == "queue_not_found"


async def test_queue_changes_are_announced_to_everyone_signed_in(
    client: httpx.AsyncClient, as_admin: dict[str, str], published: EventLog
) -> None:
    queue = (await _create(client, as_admin, name="Vendas")).json()
    await client.patch(f"/api/queues/{queue['id']}", json={"color": "#00ff00"}, headers=as_admin)
    await client.delete(f"/api/queues/{queue['id']}", headers=as_admin)

    assert [(event.name, event.payload) for event in published.events] == [
        ("queue.created", queue),
        ("queue.updated", queue | {"color": "#00ff00"}),
        ("queue.removed", {"id": queue["id"]}),
    ]
    assert all(set(event.rooms) == {"admins", "agents"} for event in published.events)
