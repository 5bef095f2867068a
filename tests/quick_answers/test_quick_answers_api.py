"""Quick answers: administrators write them; agents find them by shortcut or text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.conftest import MakeUser
from zapdesk.users.models import Role, User

Headers = Callable[[User], dict[str, str]]


@pytest.fixture
async def as_admin(make_user: MakeUser, auth_headers: Headers) -> dict[str, str]:
    return auth_headers(await make_user(role=Role.ADMIN))


async def _create(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> httpx.Response:
    return await client.post("/api/quick-answers", json=body, headers=headers)


async def test_shortcut_is_stored_without_its_leading_slash(
    client: httpx.AsyncClient, as_admin: dict[str, str]
) -> None:
    response = await _create(client, as_admin, shortcut="/ola", text="Olá! Como posso ajudar?")

    assert response.status_code == 201
    assert (response.json()["shortcut"], response.json()["text"]) == ("ola", "Olá! Como posso ajudar?")


@pytest.mark.parametrize("shortcut", ["bom dia", "/", "", "x" * 65])
async def test_shortcuts_that_cannot_be_typed_are_422(
    client: httpx.AsyncClient, as_admin: dict[str, str], shortcut: str
) -> None:
    response = await _create(client, as_admin, shortcut=shortcut, text="Bom dia!")

    assert response.status_code == 422
    assert "shortcut" in response.json()["detail"]


async def test_shortcuts_are_unique_ignoring_case_and_slash(
    client: httpx.AsyncClient, as_admin: dict[str, str]
) -> None:
    await _create(client, as_admin, shortcut="pix", text="Nossa chave Pix é ...")

    response = await _create(client, as_admin, shortcut="/PIX", text="Outra")

    assert response.status_code == 409
    assert response.json()["code"] == "shortcut_taken"


async def test_agents_search_by_shortcut_prefix_or_by_text(
    client: httpx.AsyncClient, as_admin: dict[str, str], make_user: MakeUser, auth_headers: Headers
) -> None:
    await _create(client, as_admin, shortcut="horario", text="Atendemos das 8h às 18h.")
    await _create(client, as_admin, shortcut="endereco", text="Rua das Flores, 100.")
    await _create(client, as_admin, shortcut="pix", text="Pagamentos por Pix: horario comercial.")
    agent = auth_headers(await make_user())

    async def shortcuts(search: str) -> list[str]:
        response = await client.get("/api/quick-answers", params={"search": search}, headers=agent)
        assert response.status_code == 200
        return [answer["shortcut"] for answer in response.json()["items"]]

    assert await shortcuts("/hor") == ["horario", "pix"]
    assert await shortcuts("FLORES") == ["endereco"]
    assert await shortcuts("ario") == ["pix"]
    assert await shortcuts("") == ["endereco", "horario", "pix"]


async def test_patch_changes_text_and_shortcut(client: httpx.AsyncClient, as_admin: dict[str, str]) -> None:
    answer = (await _create(client, as_admin, shortcut="oi", text="Oi!")).json()

    response = await client.patch(
        f"/api/quick-answers/{answer['id']}", json={"shortcut": "/ola", "text": "Olá!"}, headers=as_admin
    )

    assert response.status_code == 200
    assert (response.json()["shortcut"], response.json()["text"]) == ("ola", "Olá!")


async def test_patch_to_a_shortcut_in_use_is_409(client: httpx.AsyncClient, as_admin: dict[str, str]) -> None:
    first = (await _create(client, as_admin, shortcut="oi", text="Oi!")).json()
    await _create(client, as_admin, shortcut="ola", text="Olá!")

    response = await client.patch(f"/api/quick-answers/{first['id']}", json={"shortcut": "OLA"}, headers=as_admin)

    assert response.status_code == 409


async def test_deleted_quick_answer_is_gone(client: httpx.AsyncClient, as_admin: dict[str, str]) -> None:
    answer = (await _create(client, as_admin, shortcut="oi", text="Oi!")).json()

    response = await client.delete(f"/api/quick-answers/{answer['id']}", headers=as_admin)

    assert response.status_code == 204
    missing = await client.get(f"/api/quick-answers/{answer['id']}", headers=as_admin)
    assert missing.status_code == 404
    assert missing.json()["code"] == "quick_answer_not_found"
