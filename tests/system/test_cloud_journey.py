"""The Cloud API channel end to end through real processes: a `cloud` connection checked against the fake Graph
API, a customer writing through signed webhooks, the agent's reply posted to the Graph API as Meta expects it,
and Meta's statuses ticking the reply — each step in the database, over REST and over Socket.IO."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.system.cloud import FakeMeta, cloud_environment, link_cloud_connection, wait_for_message
from tests.system.harness import Api, Inbox, Server, eventually, free_port

BUSINESS = "5511999990042"
CUSTOMER = "5511988881234"


@pytest.fixture
async def cloud_server(fresh_database_url: str, tmp_path: Path) -> AsyncIterator[Server]:
    port = free_port()
    server = Server(
        database_url=fresh_database_url, data_dir=tmp_path / "data", port=port, extra_env=cloud_environment(port)
    )
    await server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
async def meta(cloud_server: Server) -> AsyncIterator[FakeMeta]:
    meta = FakeMeta(f"{cloud_server.url}/simulator")
    yield meta
    await meta.close()


@pytest.fixture
async def admin(cloud_server: Server) -> AsyncIterator[Api]:
    api = await Api(cloud_server.url).login()
    yield api
    await api.close()


async def test_cloud_customer_writes_agent_replies_and_meta_statuses_tick_the_reply(
    cloud_server: Server, admin: Api, meta: FakeMeta
) -> None:
    inbox = await Inbox().connect(cloud_server.url, admin.token)
    try:
        connection = await link_cloud_connection(admin, meta, cloud_server.url, "Oficial", BUSINESS)
        assert connection["phone"] == BUSINESS
        assert connection["profile"] == {
            "display_name": "Oficial Ltda",
            "quality_rating": "GREEN",
            "messaging_limit": "TIER_1K",
        }
        number_id = connection["number"]["phone_number_id"]

        await meta.customer_writes(CUSTOMER, number_id, "Oi, vocês entregam hoje?", name="Bia")

        async def pending_ticket() -> dict[str, Any] | None:
            items = (await admin.get("/api/tickets", status="pending"))["items"]
            return items[0] if items else None

        ticket = await eventually(pending_ticket, what="a pending ticket from the Cloud webhook")
        assert ticket["contact"]["phone"] == CUSTOMER and ticket["contact"]["name"] == "Bia"
        assert ticket["connection_id"] == connection["id"]
        await eventually(lambda: _now(inbox.named("message.created")), what="message.created on the socket")

        reply = await admin.post(
            f"/api/tickets/{ticket['id']}/messages", {"body": "Entregamos sim!", "client_id": "cloud-reply-1"}
        )
        delivered = await wait_for_message(admin, ticket["id"], reply["id"], "delivered")
        assert delivered["external_id"].startswith("wamid.")

        posted = [r for r in await meta.sent_requests(number_id) if r.get("type") == "text"]
        assert posted == [
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": CUSTOMER,
                "biz_opaque_callback_data": posted[0]["biz_opaque_callback_data"],
                "type": "text",
                "text": {"body": "Entregamos sim!", "preview_url": False},
            }
        ]
        assert posted[0]["biz_opaque_callback_data"].startswith("zapdesk.")

        await meta.call("POST", f"/phones/{CUSTOMER}/read", {"ids": [delivered["external_id"]]})
        await wait_for_message(admin, ticket["id"], reply["id"], "read")

        async def read_published() -> bool:
            return any(m["id"] == reply["id"] and m["status"] == "read" for m in inbox.named("message.updated"))

        await eventually(read_published, what="message.updated with status read on the socket")
    finally:
        await inbox.close()


async def _now(value: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return value


async def test_outside_the_window_only_a_template_goes_out_with_its_variables(
    cloud_server: Server, admin: Api, meta: FakeMeta
) -> None:
    connection = await link_cloud_connection(admin, meta, cloud_server.url, "Oficial", BUSINESS)
    number_id = connection["number"]["phone_number_id"]
    template = {
        "name": "retomar_contato",
        "language": "pt_BR",
        "components": [{"type": "BODY", "text": "Olá {{1}}! Podemos continuar seu atendimento?"}],
    }
    await meta.call("POST", f"/numbers/{number_id}/templates", template)
    contact = await admin.post("/api/contacts", {"phone": CUSTOMER, "name": "Bia Reis"}, expect=201)
    ticket = await admin.post("/api/tickets", {"contact_id": contact["id"], "connection_id": connection["id"]})

    refused = await admin.client.post(f"/api/tickets/{ticket['id']}/messages", json={"body": "Oi Bia"})
    assert refused.status_code == 409 and refused.json()["code"] == "window_closed"
    listed = await admin.get(f"/api/connections/{connection['id']}/templates")
    assert [t["name"] for t in listed["items"]] == ["retomar_contato"]
    chosen = {"name": "retomar_contato", "language": "pt_BR", "body": {"1": "{{name}}"}}
    sent = await admin.post(f"/api/tickets/{ticket['id']}/template-messages", chosen, expect=201)

    await wait_for_message(admin, ticket["id"], sent["id"], "delivered")
    (posted,) = [r for r in await meta.sent_requests(number_id) if r.get("type") == "template"]
    assert posted["to"] == CUSTOMER
    assert posted["template"] == {
        "name": "retomar_contato",
        "language": {"code": "pt_BR"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Bia Reis"}]}],
    }
