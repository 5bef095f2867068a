"""Workspace settings: known keys with defaults, validated per key, read typed by the rest of the app."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import MakeUser
from zapdesk.settings.models import Setting
from zapdesk.settings.service import (
    IGNORE_GROUP_MESSAGES,
    OUTBOUND_MIN_INTERVAL_MS,
    SEND_GREETING_ON_NEW_TICKET,
    TIMEZONE,
    get_setting,
)
from zapdesk.users.models import Role, User

Headers = Callable[[User], dict[str, str]]


@pytest.fixture
async def as_admin(make_user: MakeUser, auth_headers: Headers) -> dict[str, str]:
    return auth_headers(await make_user(role=Role.ADMIN))


async def test_every_known_setting_is_listed_with_its_default(
    client: httpx.AsyncClient, as_admin: dict[str, str]
) -> None:
    response = await client.get("/api/settings", headers=as_admin)

    assert response.status_code == 200
    assert {item["key"]: (item["value"], item["default"]) for item in response.json()} == {
        "agent_signature": (True, True),
        "ignore_group_messages": (False, False),
        "outbound_min_interval_ms": (1000, 1000),
        "send_greeting_on_new_ticket": (True, True),
        "send_api_opens_ticket": (True, True),
        "timezone": ("America/Sao_Paulo", "America/Sao_Paulo"),
    }
    interval = next(item for item in response.json() if item["key"] == "outbound_min_interval_ms")
    assert interval["value_schema"] == {"type": "integer", "minimum": 0, "maximum": 600000}
    assert interval["description"]


async def test_a_saved_value_is_listed_and_read_typed(
    client: httpx.AsyncClient, as_admin: dict[str, str], session: AsyncSession
) -> None:
    first = await client.put("/api/settings/ignore_group_messages", json={"value": True}, headers=as_admin)
    second = await client.put("/api/settings/outbound_min_interval_ms", json={"value": 250}, headers=as_admin)
    again = await client.put("/api/settings/outbound_min_interval_ms", json={"value": 0}, headers=as_admin)

    assert first.status_code == second.status_code == again.status_code == 200
    assert again.json()["value"] == 0
    listed = {item["key"]: item["value"] for item in (await client.get("/api/settings", headers=as_admin)).json()}
    assert listed["ignore_group_messages"] is True
    assert listed["outbound_min_interval_ms"] == 0
    assert await get_setting(session, IGNORE_GROUP_MESSAGES) is True
    assert await get_setting(session, OUTBOUND_MIN_INTERVAL_MS) == 0


async def test_get_setting_gives_the_default_when_nothing_is_stored(session: AsyncSession) -> None:
    assert await get_setting(session, SEND_GREETING_ON_NEW_TICKET) is True
    assert await get_setting(session, OUTBOUND_MIN_INTERVAL_MS) == 1000


async def test_a_stored_value_that_no_longer_validates_reads_as_the_default(session: AsyncSession) -> None:
    session.add(Setting(key="outbound_min_interval_ms", value="fast"))
    await session.commit()

    assert await get_setting(session, OUTBOUND_MIN_INTERVAL_MS) == 1000


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("ignore_group_messages", "yes"),
        ("ignore_group_messages", 1),
        ("send_greeting_on_new_ticket", None),
        ("outbound_min_interval_ms", -1),
        ("outbound_min_interval_ms", "1000"),
        ("outbound_min_interval_ms", True),
        ("outbound_min_interval_ms", 1.5),
        ("timezone", ""),
        ("timezone", 3),
    ],
)
async def test_values_of_the_wrong_type_or_range_are_422(
    client: httpx.AsyncClient, as_admin: dict[str, str], key: str, value: object
) -> None:
    response = await client.put(f"/api/settings/{key}", json={"value": value}, headers=as_admin)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert [error["loc"] for error in response.json()["errors"]] == [["body", "value"]]


async def test_a_body_without_value_is_422(client: httpx.AsyncClient, as_admin: dict[str, str]) -> None:
    response = await client.put("/api/settings/ignore_group_messages", json={}, headers=as_admin)

    assert response.status_code == 422


async def test_unknown_setting_is_404(client: httpx.AsyncClient, as_admin: dict[str, str]) -> None:
    response = await client.put("/api/settings/dark_mode", json={"value": True}, headers=as_admin)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


async def test_each_setting_states_its_own_value_type_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    document = (await client.get("/api/openapi.json")).json()
    schemas = document["components"]["schemas"]

    def value_schema(key: str) -> dict[str, object]:
        body = document["paths"][f"/api/settings/{key}"]["put"]["requestBody"]["content"]["application/json"]
        properties: dict[str, dict[str, object]] = schemas[body["schema"]["$ref"].rsplit("/", 1)[-1]]["properties"]
        return properties["value"]

    assert value_schema("ignore_group_messages")["type"] == "boolean"
    assert (
        value_schema("outbound_min_interval_ms")["minimum"],
        value_schema("outbound_min_interval_ms")["maximum"],
    ) == (0, 600_000)


async def test_a_time_zone_is_an_iana_name(
    client: httpx.AsyncClient, as_admin: dict[str, str], session: AsyncSession
) -> None:
    response = await client.put("/api/settings/timezone", json={"value": "Europe/Lisbon"}, headers=as_admin)

    assert response.status_code == 200, response.text
    assert await get_setting(session, TIMEZONE) == "Europe/Lisbon"


async def test_a_time_zone_that_does_not_exist_is_a_field_error_and_changes_nothing(
    client: httpx.AsyncClient, as_admin: dict[str, str], session: AsyncSession
) -> None:
    response = await client.put("/api/settings/timezone", json={"value": "America/Atlantida"}, headers=as_admin)

    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["loc"], error["type"], error["ctx"]) == (
        ["body", "value"],
        "timezone_unknown",
        {"zone": "America/Atlantida"},
    )
    assert await get_setting(session, TIMEZONE) == "America/Sao_Paulo"
