"""The full journey through real processes: link a number by QR, a customer writes, an agent answers, the
customer receives and reads it — each step visible in the database, over REST and over Socket.IO."""

from __future__ import annotations

from typing import Any

from tests.system.harness import Api, Inbox, Simulator, eventually, link_connection

BUSINESS = "5511999990001"
CUSTOMER = "5511988887777"


async def test_customer_message_becomes_a_ticket_and_the_agents_reply_is_delivered_then_read(
    api: Api, simulator: Simulator, inbox: Inbox
) -> None:
    # The spec promises the QR code within 5-10 seconds of "Conectar".
    connection = await link_connection(api, simulator, "Vendas", BUSINESS, qr_within=10)
    assert connection["phone"] == BUSINESS

    async def connected_published() -> bool:
        return any(event["status"] == "CONNECTED" for event in inbox.named("connection.updated"))

    await eventually(connected_published, what="connection.updated with CONNECTED on the socket")

    await simulator.customer_writes(CUSTOMER, BUSINESS, "Olá, quero um orçamento", name="Ana")

    async def pending_ticket() -> dict[str, Any] | None:
        items = (await api.get("/api/tickets", status="pending"))["items"]
        return items[0] if items else None

    ticket = await eventually(pending_ticket, what="a pending ticket")
    assert ticket["contact"]["phone"] == CUSTOMER
    assert ticket["contact"]["name"] == "Ana"
    assert ticket["connection_id"] == connection["id"]
    page = await api.get(f"/api/tickets/{ticket['id']}/messages")
    assert [message["body"] for message in page["items"]] == ["Olá, quero um orçamento"]
    await eventually(lambda: _async(inbox.named("ticket.created")), what="ticket.created on the socket")
    await eventually(lambda: _async(inbox.named("message.created")), what="message.created on the socket")

    reply = await api.post(
        f"/api/tickets/{ticket['id']}/messages", {"body": "Oi Ana! Já te ajudo.", "client_id": "reply-1"}
    )
    assert reply["status"] == "pending"

    async def customer_got_it() -> dict[str, Any] | None:
        return next((m for m in await simulator.received_by(CUSTOMER) if m.get("text") == "Oi Ana! Já te ajudo."), None)

    received = await eventually(customer_got_it, what="the customer's phone to receive the reply")
    delivered = await _wait_for_message_status(api, ticket["id"], reply["id"], "delivered")
    assert delivered["external_id"] == received["id"]

    await simulator.customer_reads(CUSTOMER, [received["id"]])
    await _wait_for_message_status(api, ticket["id"], reply["id"], "read")

    async def read_published() -> bool:
        return any(m["id"] == reply["id"] and m["status"] == "read" for m in inbox.named("message.updated"))

    await eventually(read_published, what="message.updated with status read on the socket")


async def _wait_for_message_status(api: Api, ticket_id: int, message_id: int, status: str) -> dict[str, Any]:
    async def reached() -> dict[str, Any] | None:
        page = await api.get(f"/api/tickets/{ticket_id}/messages")
        return next((m for m in page["items"] if m["id"] == message_id and m["status"] == status), None)

    return await eventually(reached, what=f"message {message_id} to be {status}")


async def _async(value: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return value
