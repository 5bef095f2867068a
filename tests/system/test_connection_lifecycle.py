"""Connection states through real processes: drops heal by themselves; logout, replacement and unscanned QR
windows wait for a person; several numbers live side by side without disturbing each other."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.system.harness import Api, Simulator, eventually, link_connection, wait_for_status


async def test_a_transient_drop_reconnects_by_itself(api: Api, simulator: Simulator) -> None:
    connection = await link_connection(api, simulator, "Vendas", "5511999990001")
    await simulator.session_fault("5511999990001", "drop")
    await wait_for_status(api, connection["id"], "RECONNECTING")
    await wait_for_status(api, connection["id"], "CONNECTED")


async def test_logout_from_the_phone_needs_a_new_scan(api: Api, simulator: Simulator) -> None:
    connection = await link_connection(api, simulator, "Vendas", "5511999990001")
    await simulator.session_fault("5511999990001", "logout")
    await wait_for_status(api, connection["id"], "LOGGED_OUT")
    await api.post(f"/api/connections/{connection['id']}/connect", expect=202)

    async def qr() -> dict[str, Any] | None:
        response = await api.client.get(f"/api/connections/{connection['id']}/qr")
        return response.json() if response.status_code == 200 else None

    assert (await eventually(qr, timeout=10, what="a new QR code after logout"))["code"]


async def test_a_replaced_session_is_not_reconnected(api: Api, simulator: Simulator) -> None:
    connection = await link_connection(api, simulator, "Vendas", "5511999990001")
    await simulator.session_fault("5511999990001", "replace")
    replaced = await wait_for_status(api, connection["id"], "REPLACED")
    assert replaced["status_reason"] is None or isinstance(replaced["status_reason"], str)
    await _stays(api, connection["id"], "REPLACED", seconds=4)


async def test_an_unscanned_qr_window_ends_in_qr_expired_without_looping(api: Api, simulator: Simulator) -> None:
    connection = await api.post("/api/connections", {"name": "Vendas", "provider": "simulator"}, expect=201)
    await api.post(f"/api/connections/{connection['id']}/connect", expect=202)
    await wait_for_status(api, connection["id"], "QR", timeout=20)
    # The harness's window: 10 s for the first code, then 2 more of 2 s.
    await wait_for_status(api, connection["id"], "QR_EXPIRED", timeout=30)
    await _stays(api, connection["id"], "QR_EXPIRED", seconds=4)
    missing = await api.client.get(f"/api/connections/{connection['id']}/qr")
    assert (missing.status_code, missing.json()["code"]) == (409, "no_qr_code")


async def test_three_numbers_at_once_keep_their_own_tickets_and_one_logout_leaves_the_others(
    api: Api, simulator: Simulator
) -> None:
    numbers = {"Vendas": "5511999991111", "Suporte": "5511999992222", "Financeiro": "5511999993333"}
    connections = {name: await link_connection(api, simulator, name, phone) for name, phone in numbers.items()}
    for index, (name, phone) in enumerate(numbers.items()):
        await simulator.customer_writes(f"55219888800{index:02d}", phone, f"Olá {name}")

    async def three_tickets() -> list[dict[str, Any]] | None:
        items: list[dict[str, Any]] = (await api.get("/api/tickets", status="pending"))["items"]
        return items if len(items) == 3 else None

    tickets = await eventually(three_tickets, what="one ticket per connection")
    by_connection = {ticket["connection_id"]: ticket for ticket in tickets}
    for index, name in enumerate(numbers):
        ticket = by_connection[connections[name]["id"]]
        assert ticket["last_message"] == f"Olá {name}"
        assert ticket["contact"]["phone"] == f"55219888800{index:02d}"

    await api.post(f"/api/connections/{connections['Suporte']['id']}/logout", expect=202)
    await wait_for_status(api, connections["Suporte"]["id"], "STOPPED")
    for name in ("Vendas", "Financeiro"):
        await _stays(api, connections[name]["id"], "CONNECTED", seconds=2)


async def _stays(api: Api, connection_id: int, status: str, *, seconds: float) -> None:
    for _ in range(int(seconds * 4)):
        assert (await api.get(f"/api/connections/{connection_id}"))["status"] == status
        await asyncio.sleep(0.25)
