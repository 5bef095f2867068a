"""The 24-hour customer-service window and the templates that reopen a conversation (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from tests.cloud.conftest import PHONE_NUMBER_ID, CloudDesk

ORDER_READY = {
    "name": "pedido_pronto",
    "language": "pt_BR",
    "category": "UTILITY",
    "components": [
        {"type": "HEADER", "format": "TEXT", "text": "Pedido {{1}}"},
        {"type": "BODY", "text": "Olá {{1}}, seu pedido {{2}} está pronto para retirada."},
        {"type": "FOOTER", "text": "Loja Demo"},
    ],
}


async def quiet_customer_ticket(desk: CloudDesk) -> dict[str, Any]:
    """A conversation the agent starts with a customer who never wrote: the window was never open."""
    contact = await desk.http.post("/api/contacts", json={"phone": "5511977776666", "name": "Carla Dias"})
    assert contact.status_code == 201, contact.text
    ticket = await desk.http.post(
        "/api/tickets", json={"contact_id": contact.json()["id"], "connection_id": desk.connection_id}
    )
    assert ticket.status_code in (200, 201), ticket.text
    found: dict[str, Any] = ticket.json()
    return found


async def add_template(desk: CloudDesk, template: dict[str, Any]) -> None:
    response = await desk.meta.post(f"/numbers/{PHONE_NUMBER_ID}/templates", json=template)
    assert response.status_code == 200, response.text


async def test_free_text_outside_the_window_is_refused_with_window_closed(cloud_desk: CloudDesk) -> None:
    ticket = await quiet_customer_ticket(cloud_desk)

    window = (await cloud_desk.http.get(f"/api/tickets/{ticket['id']}/messages/window")).json()
    refused = await cloud_desk.http.post(f"/api/tickets/{ticket['id']}/messages", json={"body": "Oi Carla!"})

    assert window == {"applies": True, "open": False, "closes_at": None}
    assert refused.status_code == 409 and refused.json()["code"] == "window_closed"
    messages = (await cloud_desk.http.get(f"/api/tickets/{ticket['id']}/messages")).json()["items"]
    assert messages == []


async def test_free_text_within_24_hours_of_the_customers_last_message_is_queued(cloud_desk: CloudDesk) -> None:
    written = {"from": "5511955554444", "to": PHONE_NUMBER_ID, "text": "Tem em azul?", "name": "Davi"}
    assert (await cloud_desk.meta.post("/messages", json=written)).status_code == 200
    await cloud_desk.wait_for_delivery(0)
    (ticket,) = (await cloud_desk.http.get("/api/tickets", params={"status": "pending"})).json()["items"]

    window = (await cloud_desk.http.get(f"/api/tickets/{ticket['id']}/messages/window")).json()
    sent = await cloud_desk.http.post(f"/api/tickets/{ticket['id']}/messages", json={"body": "Temos em azul."})

    assert window["applies"] is True and window["closes_at"] is not None
    assert sent.status_code == 201 and sent.json()["status"] == "pending"


async def test_templates_are_listed_from_meta_cached_and_refreshed_on_demand(cloud_desk: CloudDesk) -> None:
    await add_template(cloud_desk, ORDER_READY)
    path = f"/api/connections/{cloud_desk.connection_id}/templates"

    first = (await cloud_desk.http.get(path)).json()["items"]
    await add_template(cloud_desk, {**ORDER_READY, "name": "boleto_vencendo"})
    cached = (await cloud_desk.http.get(path)).json()["items"]
    refreshed = (await cloud_desk.http.get(path, params={"refresh": "true"})).json()["items"]

    assert first == [
        {
            "name": "pedido_pronto",
            "language": "pt_BR",
            "category": "UTILITY",
            "status": "APPROVED",
            "header": "Pedido {{1}}",
            "body": "Olá {{1}}, seu pedido {{2}} está pronto para retirada.",
            "footer": "Loja Demo",
            "variables": [
                {"part": "header", "key": "1"},
                {"part": "body", "key": "1"},
                {"part": "body", "key": "2"},
            ],
        }
    ]
    assert [t["name"] for t in cached] == ["pedido_pronto"]
    assert [t["name"] for t in refreshed] == ["boleto_vencendo", "pedido_pronto"]


async def test_a_template_reopens_the_conversation_with_variables_from_contact_ticket_and_agent(
    cloud_desk: CloudDesk,
) -> None:
    await add_template(cloud_desk, ORDER_READY)
    ticket = await quiet_customer_ticket(cloud_desk)
    await cloud_desk.http.get(f"/api/connections/{cloud_desk.connection_id}/templates")
    chosen = {
        "name": "pedido_pronto",
        "language": "pt_BR",
        "header": {"1": "#{{ticket}}"},
        "body": {"1": "{{name}}", "2": "da {{agent}}"},
        "client_id": "template-1",
    }

    preview = await cloud_desk.http.post(f"/api/tickets/{ticket['id']}/template-messages/preview", json=chosen)
    sent = await cloud_desk.http.post(f"/api/tickets/{ticket['id']}/template-messages", json=chosen)
    again = await cloud_desk.http.post(f"/api/tickets/{ticket['id']}/template-messages", json=chosen)

    agent = cloud_desk.admin.name
    text = f"Pedido #{ticket['id']}\n\nOlá Carla Dias, seu pedido da {agent} está pronto para retirada.\n\nLoja Demo"
    assert preview.json() == {"text": text}
    assert sent.status_code == 201, sent.text
    message = sent.json()
    assert (message["body"], message["status"]) == (text, "pending")
    assert message["extra"]["template"] == {
        "name": "pedido_pronto",
        "language": "pt_BR",
        "header": [{"text": f"#{ticket['id']}", "name": None}],
        "body": [{"text": "Carla Dias", "name": None}, {"text": f"da {agent}", "name": None}],
    }
    assert again.status_code == 200 and again.json()["id"] == message["id"]


async def test_a_template_with_an_empty_variable_is_refused(cloud_desk: CloudDesk) -> None:
    await add_template(cloud_desk, ORDER_READY)
    ticket = await quiet_customer_ticket(cloud_desk)
    await cloud_desk.http.get(f"/api/connections/{cloud_desk.connection_id}/templates")

    refused = await cloud_desk.http.post(
        f"/api/tickets/{ticket['id']}/template-messages",
        json={"name": "pedido_pronto", "language": "pt_BR", "header": {"1": "7"}, "body": {"1": "Carla"}},
    )

    assert refused.status_code == 422 and refused.json()["code"] == "template_variable_missing"
