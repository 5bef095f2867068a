"""/api/tickets/{id}/messages: history pages, unread reset, pending replies, idempotent client ids."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import EventLog
from tests.tickets.factories import PERSONAS, Desk, guarded_status, ids_of, make_message, make_ticket
from zapdesk.db.uow import unit_of_work
from zapdesk.messages.models import Message
from zapdesk.messages.service import message_added, messages_added
from zapdesk.tickets.models import Ticket, TicketStatus

MESSAGE_ROUTES: list[tuple[str, dict[str, Any] | None, int]] = [
    ("GET", None, 200),
    ("POST", {"body": "Bom dia!"}, 201),
]


@pytest.mark.parametrize(("method", "body", "allowed"), MESSAGE_ROUTES)
async def test_message_route_answers_each_caller_by_the_tickets_access_rule(
    client: httpx.AsyncClient, desk: Desk, method: str, body: dict[str, Any] | None, allowed: int
) -> None:
    for persona in PERSONAS:
        ticket = await desk.guarded_ticket()
        await make_message(desk.context, ticket=ticket, body="mensagem privada")
        response = await client.request(
            method, f"/api/tickets/{ticket.id}/messages", json=body, headers=desk.headers(persona)
        )
        assert response.status_code == guarded_status(persona, allowed), (persona, response.text)
        if response.status_code == 404:
            assert "mensagem privada" not in response.text


async def test_history_comes_newest_page_first_each_page_in_chronological_order(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    ticket = await desk.guarded_ticket()
    other = await desk.guarded_ticket()
    messages = [await make_message(desk.context, ticket=ticket, body=f"m{n}") for n in range(1, 6)]
    await make_message(desk.context, ticket=other, body="elsewhere")
    headers = desk.headers("assignee")
    url = f"/api/tickets/{ticket.id}/messages"

    first = await client.get(url, params={"limit": 2}, headers=headers)
    assert [m["body"] for m in first.json()["items"]] == ["m4", "m5"]
    # The one cursor format of every list, carrying the key of the page's last (oldest) message: its id.
    assert first.json()["next_cursor"] == str(messages[3].id)
    second = await client.get(url, params={"limit": 2, "cursor": first.json()["next_cursor"]}, headers=headers)
    assert [m["body"] for m in second.json()["items"]] == ["m2", "m3"]
    third = await client.get(url, params={"limit": 2, "cursor": second.json()["next_cursor"]}, headers=headers)
    assert [m["body"] for m in third.json()["items"]] == ["m1"]
    assert third.json()["next_cursor"] is None


async def test_reading_a_ticket_resets_its_unread_count_once(
    client: httpx.AsyncClient, desk: Desk, published: EventLog
) -> None:
    ticket = await desk.guarded_ticket(unread_count=3)
    url = f"/api/tickets/{ticket.id}/messages"
    assert (await client.get(url, headers=desk.headers("agent_in_queue"))).status_code == 200
    (updated,) = published.named("ticket.updated")
    assert updated.payload["unread_count"] == 0
    assert updated.rooms == ("admins", f"queue:{desk.queue.id}", f"user:{desk.assignee.id}")
    listed = await client.get(f"/api/tickets/{ticket.id}", headers=desk.headers("agent_in_queue"))
    assert listed.json()["unread_count"] == 0
    # Already read: nothing changes, nothing is announced.
    await client.get(url, headers=desk.headers("agent_in_queue"))
    assert len(published.named("ticket.updated")) == 1


async def test_a_reply_is_stored_pending_and_moves_the_ticket(
    client: httpx.AsyncClient, desk: Desk, published: EventLog
) -> None:
    ticket = await desk.guarded_ticket()
    response = await client.post(
        f"/api/tickets/{ticket.id}/messages",
        json={"body": "  Seu pedido saiu para entrega.  "},
        headers=desk.headers("assignee"),
    )
    assert response.status_code == 201
    message = response.json()
    assert set(message) == {
        "id",
        "ticket_id",
        "body",
        "type",
        "from_me",
        "status",
        "error",
        "external_id",
        "client_id",
        "quoted_message_id",
        "media_url",
        "media_name",
        "media_mime",
        "media_state",
        "extra",
        "reactions",
        "is_edited",
        "is_deleted",
        "sender_name",
        "author_id",
        "created_at",
        "sent_at",
        "updated_at",
    }
    assert (message["body"], message["from_me"], message["status"], message["type"]) == (
        "Seu pedido saiu para entrega.",
        True,
        "pending",
        "text",
    )
    assert (message["author_id"], message["sender_name"], message["media_url"]) == (
        desk.assignee.id,
        "Ana Assignee",
        None,
    )
    created, updated = published.events
    rooms = ("admins", f"queue:{desk.queue.id}", f"user:{desk.assignee.id}")
    assert (created.name, created.payload, created.rooms) == ("message.created", message, rooms)
    assert (updated.name, updated.rooms) == ("ticket.updated", rooms)
    ticket_now = (await client.get(f"/api/tickets/{ticket.id}", headers=desk.headers("assignee"))).json()
    assert updated.payload == ticket_now
    assert ticket_now["last_message"] == "Seu pedido saiu para entrega."
    assert ticket_now["last_message_at"] == message["created_at"]
    assert ticket_now["unread_count"] == 0


async def test_the_same_client_id_twice_stores_one_message(
    client: httpx.AsyncClient, desk: Desk, published: EventLog, session: AsyncSession
) -> None:
    ticket = await desk.guarded_ticket()
    url = f"/api/tickets/{ticket.id}/messages"
    body = {"body": "Olá!", "client_id": "c-7f3a"}
    first = await client.post(url, json=body, headers=desk.headers("assignee"))
    again = await client.post(url, json=body, headers=desk.headers("assignee"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert len(published.named("message.created")) == 1
    count = await session.scalar(select(func.count()).select_from(Message).where(Message.ticket_id == ticket.id))
    assert count == 1


async def test_a_double_click_sent_concurrently_stores_one_message(
    client: httpx.AsyncClient, desk: Desk, session: AsyncSession
) -> None:
    ticket = await desk.guarded_ticket()
    url = f"/api/tickets/{ticket.id}/messages"
    body = {"body": "Olá!", "client_id": "double-click"}
    responses = await asyncio.gather(
        client.post(url, json=body, headers=desk.headers("assignee")),
        client.post(url, json=body, headers=desk.headers("assignee")),
    )
    assert sorted(r.status_code for r in responses) == [200, 201]
    assert responses[0].json()["id"] == responses[1].json()["id"]
    count = await session.scalar(select(func.count()).select_from(Message).where(Message.ticket_id == ticket.id))
    assert count == 1


async def test_the_same_client_id_on_another_ticket_is_another_message(client: httpx.AsyncClient, desk: Desk) -> None:
    first_ticket, second_ticket = await desk.guarded_ticket(), await desk.guarded_ticket()
    body = {"body": "Olá!", "client_id": "same"}
    first = await client.post(f"/api/tickets/{first_ticket.id}/messages", json=body, headers=desk.headers("admin"))
    second = await client.post(f"/api/tickets/{second_ticket.id}/messages", json=body, headers=desk.headers("admin"))
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]


async def test_replying_on_a_closed_ticket_is_a_conflict(
    client: httpx.AsyncClient, desk: Desk, session: AsyncSession
) -> None:
    ticket = await desk.guarded_ticket(status=TicketStatus.CLOSED)
    response = await client.post(
        f"/api/tickets/{ticket.id}/messages", json={"body": "Oi"}, headers=desk.headers("assignee")
    )
    assert response.status_code == 409
    assert response.json() == {"detail": "This ticket is closed. Reopen it to send a message.", "code": "ticket_closed"}
    assert await session.scalar(select(func.count()).select_from(Message)) == 0


async def test_a_reply_may_quote_a_message_of_its_own_ticket_only(client: httpx.AsyncClient, desk: Desk) -> None:
    ticket, other = await desk.guarded_ticket(), await desk.guarded_ticket()
    own = await make_message(desk.context, ticket=ticket, body="pergunta")
    foreign = await make_message(desk.context, ticket=other, body="outra conversa")
    url = f"/api/tickets/{ticket.id}/messages"
    quoting = await client.post(
        url, json={"body": "resposta", "quoted_message_id": own.id}, headers=desk.headers("admin")
    )
    assert quoting.status_code == 201
    assert quoting.json()["quoted_message_id"] == own.id
    refused = await client.post(
        url, json={"body": "resposta", "quoted_message_id": foreign.id}, headers=desk.headers("admin")
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "unknown_quoted_message"


def customer_message(ticket: Ticket, body: str) -> Message:
    """A customer's message in `ticket`, as the inbound pipeline stores one (not flushed yet)."""
    return Message(
        ticket_id=ticket.id,
        contact_id=ticket.contact_id,
        connection_id=ticket.connection_id,
        body=body,
        extra={},
        reactions={},
    )


async def test_an_inbound_message_counts_as_unread_and_becomes_the_preview(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    """What the inbound pipeline relies on: `message_added` after storing a customer's message."""
    ticket = await desk.guarded_ticket()
    async with unit_of_work(desk.context.sessionmaker) as work:
        stored = await work.get(Ticket, ticket.id)
        assert stored is not None
        message = customer_message(ticket, "Quando chega?")
        work.add(message)
        await message_added(work, stored, message)
    body = (await client.get(f"/api/tickets/{ticket.id}", headers=desk.headers("admin"))).json()
    assert (body["unread_count"], body["last_message"]) == (1, "Quando chega?")


async def test_messages_stored_in_one_ticket_in_two_parts_of_a_batch_move_it_once_leaving_nothing_to_flush(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    ticket = await desk.guarded_ticket()
    async with unit_of_work(desk.context.sessionmaker) as work:
        stored = await work.get(Ticket, ticket.id)
        assert stored is not None
        first, second = customer_message(ticket, "Oi"), customer_message(ticket, "Quando chega?")
        work.add_all([first, second])
        await messages_added(work, [(stored, [first]), (stored, [second])])
        # The ticket's new columns are written in one statement for the batch, and the object holds them as stored.
        assert not work.dirty
        assert stored.updated_at > ticket.updated_at
    body = (await client.get(f"/api/tickets/{ticket.id}", headers=desk.headers("admin"))).json()
    updated_at = datetime.fromisoformat(body["updated_at"])
    assert (body["unread_count"], body["last_message"], updated_at) == (2, "Quando chega?", stored.updated_at)


@pytest.mark.parametrize(
    ("method", "path", "json", "status"),
    [
        ("GET", "/api/tickets/987654/messages", None, 404),
        ("POST", "/api/tickets/987654/messages", {"body": "Oi"}, 404),
        ("GET", "/api/tickets/abc/messages", None, 422),
        ("GET", "/api/tickets/{id}/messages?cursor=abc", None, 422),
        ("GET", "/api/tickets/{id}/messages?limit=0", None, 422),
        ("GET", "/api/tickets/{id}/messages?limit=101", None, 422),
        ("POST", "/api/tickets/{id}/messages", {"body": ""}, 422),
        ("POST", "/api/tickets/{id}/messages", {"body": "   \n "}, 422),
        ("POST", "/api/tickets/{id}/messages", {}, 422),
        ("POST", "/api/tickets/{id}/messages", {"body": 42}, 422),
        ("POST", "/api/tickets/{id}/messages", {"body": "Oi", "quoted_message_id": "x"}, 422),
        ("POST", "/api/tickets/{id}/messages", {"body": "Oi", "client_id": "x" * 65}, 422),
    ],
)
async def test_unknown_tickets_and_wrong_types_get_a_json_error(
    client: httpx.AsyncClient, desk: Desk, method: str, path: str, json: dict[str, Any] | None, status: int
) -> None:
    ticket = await desk.guarded_ticket()
    response = await client.request(method, path.format(id=ticket.id), json=json, headers=desk.headers("admin"))
    assert response.status_code == status, response.text
    assert set(response.json()) >= {"detail", "code"}


async def test_an_agent_never_reads_messages_of_a_ticket_outside_their_scope(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    hidden = await make_ticket(desk.context, connection=desk.connection, queue=desk.other_queue)
    await make_message(desk.context, ticket=hidden, body="só para Vendas")
    for persona in ("agent_in_queue", "assignee"):
        headers = desk.headers(persona)
        assert (await client.get(f"/api/tickets/{hidden.id}/messages", headers=headers)).status_code == 404
        assert ids_of(await client.get("/api/tickets", params={"search": "Vendas"}, headers=headers)) == []
