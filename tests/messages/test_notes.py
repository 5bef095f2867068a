"""Internal notes: in the ticket's timeline for whoever sees it, never sent, and `@Name` notifies that person."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import EventLog
from tests.tickets.factories import Desk, make_staff
from zapdesk.context import AppContext
from zapdesk.outbox.service import claim_next_delivery
from zapdesk.tickets.models import Ticket, TicketStatus


async def write_note(
    client: httpx.AsyncClient, desk: Desk, ticket_id: int, body: str, persona: str = "assignee"
) -> Any:
    response = await client.post(f"/api/tickets/{ticket_id}/notes", json={"body": body}, headers=desk.headers(persona))
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_note_is_in_the_timeline_of_everyone_who_sees_the_ticket_and_of_no_one_else(
    client: httpx.AsyncClient, desk: Desk, published: EventLog
) -> None:
    ticket = await desk.guarded_ticket()
    note = await write_note(client, desk, ticket.id, "Cliente pediu desconto; confirmar com o gerente.")
    assert (note["type"], note["from_me"], note["status"]) == ("note", True, "sent")
    for persona in ("agent_in_queue", "assignee", "admin"):
        response = await client.get(f"/api/tickets/{ticket.id}/messages", headers=desk.headers(persona))
        assert [item["id"] for item in response.json()["items"]] == [note["id"]], persona
    hidden = await client.get(f"/api/tickets/{ticket.id}/messages", headers=desk.headers("agent_not_in_queue"))
    assert hidden.status_code == 404
    [created] = published.named("message.created")
    assert created.rooms == ("admins", f"queue:{desk.queue.id}", f"user:{desk.assignee.id}")


async def test_a_note_is_never_sent_nor_moves_the_ticket(
    client: httpx.AsyncClient, context: AppContext, desk: Desk, published: EventLog
) -> None:
    ticket = await desk.guarded_ticket(unread_count=2)
    await write_note(client, desk, ticket.id, "Só para a equipe")
    assert published.named("internal.send_queued") == []
    assert published.named("ticket.updated") == []
    async with context.sessionmaker() as session:
        delivery = await claim_next_delivery(
            session,
            connection_id=desk.connection.id,
            new_message_id=lambda: "never",
            media_store=None,  # type: ignore[arg-type]  # nothing is due, so no file is read
        )
        assert delivery is None
        stored = await session.get(Ticket, ticket.id)
        assert stored is not None
        assert (stored.last_message_preview, stored.unread_count) == (None, 2)


async def test_a_note_may_be_written_on_a_closed_ticket(client: httpx.AsyncClient, desk: Desk) -> None:
    ticket = await desk.guarded_ticket(status=TicketStatus.CLOSED)
    note = await write_note(client, desk, ticket.id, "Encerrado porque o cliente desistiu.")
    assert note["body"] == "Encerrado porque o cliente desistiu."


async def test_mentioning_bia_notifies_bia_only_even_if_the_ticket_is_not_hers(
    client: httpx.AsyncClient, desk: Desk, published: EventLog
) -> None:
    bia = await make_staff(desk.context, name="Bia Souza")
    bianca = await make_staff(desk.context, name="Bianca Lima")
    ticket = await desk.guarded_ticket()
    note = await write_note(client, desk, ticket.id, "@Bia pode olhar o pedido 123? Obrigado.")

    [notified] = published.named("notification.created")
    assert notified.rooms == (f"user:{bia.id}",)
    assert notified.payload | {"id": 0, "created_at": None} == {
        "id": 0,
        "kind": "mentioned",
        "ticket_id": ticket.id,
        "message_id": note["id"],
        "actor_name": "Ana Assignee",
        "text": "@Bia pode olhar o pedido 123? Obrigado.",
        "created_at": None,
        "read_at": None,
    }
    mine = await client.get("/api/notifications", headers=desk.auth_headers(bia))
    assert [item["message_id"] for item in mine.json()["items"]] == [note["id"]]
    theirs = await client.get("/api/notifications", headers=desk.auth_headers(bianca))
    assert theirs.json()["items"] == []


async def test_a_full_name_mentions_whoever_shares_a_first_name(client: httpx.AsyncClient, desk: Desk) -> None:
    one = await make_staff(desk.context, name="Rafa Lima")
    two = await make_staff(desk.context, name="Rafa Costa")
    ticket = await desk.guarded_ticket()
    await write_note(client, desk, ticket.id, "@rafa lima e @Rafa, vejam isto")  # "@Rafa" is two people: nobody
    assert len((await client.get("/api/notifications", headers=desk.auth_headers(one))).json()["items"]) == 1
    assert (await client.get("/api/notifications", headers=desk.auth_headers(two))).json()["items"] == []


async def test_writing_a_note_about_yourself_notifies_nobody(
    client: httpx.AsyncClient, desk: Desk, published: EventLog
) -> None:
    ticket = await desk.guarded_ticket()
    await write_note(client, desk, ticket.id, "Lembrete para @Ana Assignee: ligar amanhã")
    assert published.named("notification.created") == []


async def test_a_ticket_transferred_to_someone_notifies_them_and_reading_clears_it(
    client: httpx.AsyncClient, desk: Desk, published: EventLog
) -> None:
    ticket = await desk.guarded_ticket()
    response = await client.patch(
        f"/api/tickets/{ticket.id}", json={"assignee_id": desk.agent_in_queue.id}, headers=desk.headers("assignee")
    )
    assert response.status_code == 200
    [notified] = published.named("notification.created")
    assert notified.rooms == (f"user:{desk.agent_in_queue.id}",)
    assert (notified.payload["kind"], notified.payload["actor_name"]) == ("transferred", "Ana Assignee")

    headers = desk.headers("agent_in_queue")
    marked = await client.post("/api/notifications/read", json={}, headers=headers)
    assert marked.json() == {"ids": [notified.payload["id"]]}
    [listed] = (await client.get("/api/notifications", headers=headers)).json()["items"]
    assert listed["read_at"] is not None
    assert published.named("notification.read")[0].rooms == (f"user:{desk.agent_in_queue.id}",)


async def test_an_empty_note_is_refused(client: httpx.AsyncClient, desk: Desk) -> None:
    ticket = await desk.guarded_ticket()
    response = await client.post(
        f"/api/tickets/{ticket.id}/notes", json={"body": "   "}, headers=desk.headers("assignee")
    )
    assert response.status_code == 422
