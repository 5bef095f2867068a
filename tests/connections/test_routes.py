"""Connections over HTTP: admins create and link numbers; every signed-in user sees their states."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from urllib.parse import unquote

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import EventLog, MakeUser
from zapdesk.connections.models import Connection, ConnectionCommand, ConnectionStatus, DesiredState
from zapdesk.connections.service import StateReport, record_pairing_code, record_qr, record_states
from zapdesk.context import AppContext
from zapdesk.db.base import utcnow
from zapdesk.db.uow import unit_of_work
from zapdesk.events import ConnectionCommanded
from zapdesk.users.models import Role, User

Headers = Callable[[User], dict[str, str]]


async def _admin(make_user: MakeUser, auth_headers: Headers) -> dict[str, str]:
    return auth_headers(await make_user(role=Role.ADMIN))


async def test_admin_creates_a_connection_that_starts_stopped_and_default(
    client: httpx.AsyncClient, make_user: MakeUser, auth_headers: Headers
) -> None:
    headers = await _admin(make_user, auth_headers)
    response = await client.post("/api/connections", json={"name": "Vendas", "provider": "simulator"}, headers=headers)
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Vendas"
    assert body["status"] == "STOPPED"
    assert body["is_default"] is True
    assert body["phone"] is None


async def test_connection_names_are_unique(
    client: httpx.AsyncClient, make_user: MakeUser, auth_headers: Headers
) -> None:
    headers = await _admin(make_user, auth_headers)
    await client.post("/api/connections", json={"name": "Suporte"}, headers=headers)
    response = await client.post("/api/connections", json={"name": "Suporte"}, headers=headers)
    assert response.status_code == 409
    assert response.json()["code"] == "connection_name_taken"


async def test_marking_a_connection_default_unmarks_the_previous_one(
    client: httpx.AsyncClient, make_user: MakeUser, auth_headers: Headers
) -> None:
    headers = await _admin(make_user, auth_headers)
    first = (await client.post("/api/connections", json={"name": "A"}, headers=headers)).json()
    second = (await client.post("/api/connections", json={"name": "B", "is_default": True}, headers=headers)).json()
    listed = (await client.get("/api/connections", headers=headers)).json()["items"]
    defaults = {item["id"]: item["is_default"] for item in listed}
    assert defaults == {first["id"]: False, second["id"]: True}


async def test_the_simulator_provider_is_refused_when_the_simulator_is_disabled(
    context: AppContext, client: httpx.AsyncClient, make_user: MakeUser, auth_headers: Headers
) -> None:
    context.settings.simulator_enabled = False
    headers = await _admin(make_user, auth_headers)
    response = await client.post("/api/connections", json={"name": "Sim", "provider": "simulator"}, headers=headers)
    assert response.status_code == 422
    assert response.json()["code"] == "simulator_disabled"


async def test_connect_asks_a_worker_to_run_the_session_and_wakes_it(
    client: httpx.AsyncClient, session: AsyncSession, make_user: MakeUser, auth_headers: Headers, published: EventLog
) -> None:
    headers = await _admin(make_user, auth_headers)
    created = (await client.post("/api/connections", json={"name": "Vendas"}, headers=headers)).json()
    response = await client.post(f"/api/connections/{created['id']}/connect", headers=headers)
    assert response.status_code == 202
    assert response.json()["status"] == "STARTING"
    row = (await session.execute(select(Connection))).scalar_one()
    assert row.desired_state == DesiredState.RUNNING
    assert row.command_seq == 1
    assert published.named("connection.updated")
    # The worker is woken by an event no browser receives.
    assert [type(heard.event) for heard in published.internal] == [ConnectionCommanded]
    assert published.internal[0].rooms == ()


async def test_connect_with_a_phone_asks_for_a_pairing_code_and_validates_the_number(
    client: httpx.AsyncClient, session: AsyncSession, make_user: MakeUser, auth_headers: Headers
) -> None:
    headers = await _admin(make_user, auth_headers)
    created = (await client.post("/api/connections", json={"name": "Vendas"}, headers=headers)).json()
    bad = await client.post(f"/api/connections/{created['id']}/connect", json={"phone": "12"}, headers=headers)
    assert bad.status_code == 422
    good = await client.post(
        f"/api/connections/{created['id']}/connect", json={"phone": "+55 11 99999-1111"}, headers=headers
    )
    assert good.status_code == 202
    row = (await session.execute(select(Connection))).scalar_one()
    assert row.pairing_phone == "5511999991111"


async def test_qr_endpoint_serves_the_current_code_as_an_image_and_409_when_there_is_none(
    context: AppContext, client: httpx.AsyncClient, make_user: MakeUser, auth_headers: Headers
) -> None:
    headers = await _admin(make_user, auth_headers)
    created = (await client.post("/api/connections", json={"name": "Vendas"}, headers=headers)).json()
    missing = await client.get(f"/api/connections/{created['id']}/qr", headers=headers)
    # The connection exists (a 404 would say it does not): it just shows no code now.
    assert (missing.status_code, missing.json()["code"]) == (409, "no_qr_code")
    async with context.sessionmaker() as session:
        await record_qr(session, created["id"], "2@abc,def,ghi", utcnow().replace(year=utcnow().year + 1))
        await session.commit()
    response = await client.get(f"/api/connections/{created['id']}/qr", headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "2@abc,def,ghi"
    assert body["image"].startswith("data:image/svg+xml;")
    assert "xmlns" in unquote(body["image"])


async def test_logout_leaves_a_logout_command_for_the_worker(
    client: httpx.AsyncClient, session: AsyncSession, make_user: MakeUser, auth_headers: Headers
) -> None:
    headers = await _admin(make_user, auth_headers)
    created = (await client.post("/api/connections", json={"name": "Vendas"}, headers=headers)).json()
    response = await client.post(f"/api/connections/{created['id']}/logout", headers=headers)
    assert response.status_code == 202
    row = (await session.execute(select(Connection))).scalar_one()
    assert row.pending_command == ConnectionCommand.LOGOUT
    assert row.desired_state == DesiredState.STOPPED


async def test_each_pushed_update_carries_the_time_of_its_own_change(
    context: AppContext, client: httpx.AsyncClient, make_user: MakeUser, auth_headers: Headers, published: EventLog
) -> None:
    """Browsers keep the newest copy of a connection by `updated_at`: a page read before the worker stored
    "logged out" must lose against that update's event, so the event names the row as it was committed."""
    headers = await _admin(make_user, auth_headers)
    created = (await client.post("/api/connections", json={"name": "Vendas"}, headers=headers)).json()
    await client.post(f"/api/connections/{created['id']}/logout", headers=headers)
    async with unit_of_work(context.sessionmaker, context.sink) as session:
        await record_states(session, [StateReport(created["id"], ConnectionStatus.STOPPED, stop=True)])

    # Created, logged out, stopped by the worker.
    pushed = [heard.payload["updated_at"] for heard in published.named("connection.updated")]
    async with context.sessionmaker() as session:
        committed = await session.scalar(select(Connection.updated_at).where(Connection.id == created["id"]))
    assert committed is not None
    assert len(pushed) == 3
    assert pushed[0] < pushed[1] < pushed[2]
    assert datetime.fromisoformat(pushed[-1]).replace(tzinfo=None) == committed.replace(tzinfo=None)


async def test_connecting_an_already_connected_number_is_a_conflict(
    context: AppContext, client: httpx.AsyncClient, make_user: MakeUser, auth_headers: Headers
) -> None:
    headers = await _admin(make_user, auth_headers)
    created = (await client.post("/api/connections", json={"name": "Vendas"}, headers=headers)).json()
    async with context.sessionmaker() as session:
        connection = await session.get(Connection, created["id"])
        assert connection is not None
        connection.status = ConnectionStatus.CONNECTED
        await session.commit()
    response = await client.post(f"/api/connections/{created['id']}/connect", headers=headers)
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/connections", {"name": "X"}),
        ("PATCH", "/api/connections/{id}", {"name": "Y"}),
        ("DELETE", "/api/connections/{id}", None),
        ("POST", "/api/connections/{id}/connect", None),
        ("GET", "/api/connections/{id}/qr", None),
        ("GET", "/api/connections/{id}/pairing-code", None),
        ("POST", "/api/connections/{id}/logout", None),
        ("POST", "/api/connections/{id}/restart", None),
    ],
)
async def test_only_admins_manage_connections(
    client: httpx.AsyncClient,
    make_user: MakeUser,
    auth_headers: Headers,
    method: str,
    path: str,
    body: dict[str, str] | None,
) -> None:
    admin = await _admin(make_user, auth_headers)
    created = (await client.post("/api/connections", json={"name": "Base"}, headers=admin)).json()
    url = path.format(id=created["id"])
    agent = auth_headers(await make_user(role=Role.AGENT))
    anonymous = await client.request(method, url, json=body)
    forbidden = await client.request(method, url, json=body, headers=agent)
    assert anonymous.status_code == 401
    assert forbidden.status_code == 403
    assert forbidden.json()["detail"]


async def test_agents_can_list_and_read_connections(
    client: httpx.AsyncClient, make_user: MakeUser, auth_headers: Headers
) -> None:
    admin = await _admin(make_user, auth_headers)
    created = (await client.post("/api/connections", json={"name": "Vendas"}, headers=admin)).json()
    agent = auth_headers(await make_user(role=Role.AGENT))
    listed = await client.get("/api/connections", headers=agent)
    one = await client.get(f"/api/connections/{created['id']}", headers=agent)
    assert listed.status_code == 200 and [item["name"] for item in listed.json()["items"]] == ["Vendas"]
    assert one.status_code == 200


async def test_unknown_connection_and_wrong_types_are_4xx_json(
    client: httpx.AsyncClient, make_user: MakeUser, auth_headers: Headers
) -> None:
    headers = await _admin(make_user, auth_headers)
    missing = await client.post("/api/connections/999/connect", headers=headers)
    wrong = await client.get("/api/connections/not-a-number", headers=headers)
    bad_body = await client.post("/api/connections", json={"name": ""}, headers=headers)
    assert (missing.status_code, wrong.status_code, bad_body.status_code) == (404, 422, 422)
    assert all(r.json()["detail"] for r in (missing, wrong, bad_body))


async def test_the_pairing_code_can_be_read_again_until_it_expires(
    context: AppContext, client: httpx.AsyncClient, make_user: MakeUser, auth_headers: Headers
) -> None:
    headers = await _admin(make_user, auth_headers)
    created = (await client.post("/api/connections", json={"name": "Vendas"}, headers=headers)).json()
    assert (await client.get(f"/api/connections/{created['id']}/pairing-code", headers=headers)).status_code == 409
    async with context.sessionmaker() as session:
        await record_pairing_code(session, created["id"], "ABCD-EFGH", utcnow().replace(year=utcnow().year + 1))
        await session.commit()
    response = await client.get(f"/api/connections/{created['id']}/pairing-code", headers=headers)
    assert response.status_code == 200
    assert response.json()["code"] == "ABCD-EFGH"
