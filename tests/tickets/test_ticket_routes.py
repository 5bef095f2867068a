"""/api/tickets: who sees what, the list (filters, search, pages), and the actions with their events."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import EventLog
from tests.tickets.factories import (
    PERSONAS,
    Desk,
    guarded_status,
    ids_of,
    make_connection,
    make_contact,
    make_message,
    make_ticket,
)
from zapdesk.db.base import utcnow
from zapdesk.tickets.models import Ticket, TicketStatus

# --- the access matrix --------------------------------------------------------------------------------

BodyFor = Callable[[Desk], dict[str, Any]]

GUARDED_ROUTES: list[tuple[str, str, BodyFor | None, int]] = [
    ("GET", "/api/tickets/{id}", None, 200),
    ("PATCH", "/api/tickets/{id}", lambda desk: {"action": "close"}, 200),
    ("PATCH", "/api/tickets/{id}", lambda desk: {"queue_id": desk.other_queue.id}, 200),
    ("PATCH", "/api/tickets/{id}", lambda desk: {"action": "transfer", "assignee_id": desk.admin.id}, 200),
]


@pytest.mark.parametrize(("method", "path", "body", "allowed"), GUARDED_ROUTES)
async def test_ticket_route_answers_each_caller_by_the_access_rule(
    client: httpx.AsyncClient, desk: Desk, method: str, path: str, body: BodyFor | None, allowed: int
) -> None:
    for persona in PERSONAS:
        ticket = await desk.guarded_ticket()
        response = await client.request(
            method,
            path.format(id=ticket.id),
            json=body(desk) if body else None,
            headers=desk.headers(persona),
        )
        assert response.status_code == guarded_status(persona, allowed), (persona, response.text)
        if response.status_code == 200:
            assert response.json()["id"] == ticket.id


async def test_ticket_list_shows_each_caller_only_the_tickets_in_their_scope(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    guarded = await desk.guarded_ticket()
    unclaimed = await make_ticket(desk.context, connection=desk.connection, status=TicketStatus.PENDING)
    other_queue = await make_ticket(
        desk.context, connection=desk.connection, queue=desk.other_queue, status=TicketStatus.OPEN
    )
    closed_unclaimed = await make_ticket(desk.context, connection=desk.connection, status=TicketStatus.CLOSED)
    expected = {
        "agent_in_queue": {guarded.id, unclaimed.id},
        "agent_not_in_queue": {unclaimed.id, other_queue.id},
        "assignee": {guarded.id, unclaimed.id},
        "admin": {guarded.id, unclaimed.id, other_queue.id, closed_unclaimed.id},
    }
    anonymous = await client.get("/api/tickets")
    assert anonymous.status_code == 401
    for persona, visible in expected.items():
        response = await client.get("/api/tickets", headers=desk.headers(persona))
        assert set(ids_of(response)) == visible, persona


async def test_starting_a_conversation_is_open_to_every_signed_in_user(client: httpx.AsyncClient, desk: Desk) -> None:
    for persona in PERSONAS:
        contact = await make_contact(desk.context)
        response = await client.post(
            "/api/tickets",
            json={"contact_id": contact.id, "connection_id": desk.connection.id},
            headers=desk.headers(persona),
        )
        assert response.status_code == (401 if persona == "anonymous" else 201), (persona, response.text)


# --- the list -----------------------------------------------------------------------------------------


async def test_pages_return_each_ticket_exactly_once_newest_activity_first(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    start = utcnow()
    # Ties on last_activity_at are broken by id, so a page boundary inside a tie must not lose or repeat.
    moments = [
        start,
        start,
        start,
        start + timedelta(seconds=1),
        start + timedelta(seconds=1),
        start + timedelta(seconds=2),
    ]
    tickets = [
        await make_ticket(desk.context, connection=desk.connection, queue=desk.queue, last_activity_at=moment)
        for moment in moments
    ]
    expected = [t.id for t in sorted(tickets, key=lambda t: (t.last_activity_at, t.id), reverse=True)]
    seen: list[int] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"limit": 4 if pages == 0 else 1}
        if cursor:
            params["cursor"] = cursor
        response = await client.get("/api/tickets", params=params, headers=desk.headers("agent_in_queue"))
        seen.extend(ids_of(response))
        cursor = response.json()["next_cursor"]
        pages += 1
        if cursor is None:
            break
    assert seen == expected
    assert pages == 3


async def test_a_ticket_with_new_activity_moves_to_the_top(client: httpx.AsyncClient, desk: Desk) -> None:
    older = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue)
    newer = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue)
    headers = desk.headers("agent_in_queue")
    assert ids_of(await client.get("/api/tickets", headers=headers)) == [newer.id, older.id]
    posted = await client.post(f"/api/tickets/{older.id}/messages", json={"body": "Ainda aí?"}, headers=headers)
    assert posted.status_code == 201
    assert ids_of(await client.get("/api/tickets", headers=headers)) == [older.id, newer.id]


async def test_list_filters_by_status_queue_connection_and_assignee(client: httpx.AsyncClient, desk: Desk) -> None:
    second_connection = await make_connection(desk.context)
    mine = await make_ticket(
        desk.context,
        connection=desk.connection,
        queue=desk.queue,
        assignee=desk.agent_in_queue,
        status=TicketStatus.OPEN,
    )
    waiting = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue)
    elsewhere = await make_ticket(desk.context, connection=second_connection, queue=desk.other_queue)
    closed = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue, status=TicketStatus.CLOSED)
    headers = desk.headers("admin")

    async def listed(**params: str | int) -> set[int]:
        return set(ids_of(await client.get("/api/tickets", params=params, headers=headers)))

    assert await listed(status="pending") == {waiting.id, elsewhere.id}
    assert await listed(status="closed") == {closed.id}
    assert await listed(queue_id=desk.other_queue.id) == {elsewhere.id}
    assert await listed(connection_id=second_connection.id) == {elsewhere.id}
    assert await listed(assignee="none") == {waiting.id, elsewhere.id, closed.id}
    assert await listed(assignee="any") == {mine.id, waiting.id, elsewhere.id, closed.id}
    agent_mine = await client.get("/api/tickets", params={"assignee": "me"}, headers=desk.headers("agent_in_queue"))
    assert ids_of(agent_mine) == [mine.id]


async def test_search_matches_contact_name_phone_and_message_text(client: httpx.AsyncClient, desk: Desk) -> None:
    maria = await make_contact(desk.context, name="Maria Souza", phone="5511987654321")
    joao = await make_contact(desk.context, name="João Lima", phone="5521912340000")
    bruno = await make_contact(desk.context, name="Bruno Reis", phone="5531955550000")
    maria_ticket = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue, contact=maria)
    joao_ticket = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue, contact=joao)
    bruno_ticket = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue, contact=bruno)
    await make_message(desk.context, ticket=bruno_ticket, body="Meu pedido 4471 está atrasado")
    headers = desk.headers("agent_in_queue")

    async def found(search: str) -> list[int]:
        return ids_of(await client.get("/api/tickets", params={"search": search}, headers=headers))

    assert await found("maria") == [maria_ticket.id]
    assert await found("SOUZA") == [maria_ticket.id]
    assert await found("98765") == [maria_ticket.id]
    assert await found("+55 (21) 91234") == [joao_ticket.id]
    assert await found("atrasado") == [bruno_ticket.id]
    assert await found("100%") == []


async def test_search_ignores_accents_and_case_in_messages_and_names_and_formatting_in_numbers(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    conceicao = await make_contact(desk.context, name="Conceição Araújo", phone="5521988887777")
    by_name = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue, contact=conceicao)
    by_text = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue)
    await make_message(desk.context, ticket=by_text, body="Preciso de uma AÇÃO urgente no pedido")
    headers = desk.headers("agent_in_queue")

    async def found(search: str) -> list[int]:
        return ids_of(await client.get("/api/tickets", params={"search": search}, headers=headers))

    for spelling in ("acao", "AÇÃO", "ação", "Acão"):
        assert await found(spelling) == [by_text.id], spelling
    for spelling in ("conceicao", "CONCEIÇÃO araujo", "araújo"):
        assert await found(spelling) == [by_name.id], spelling
    for number in ("988887777", "+55 (21) 98888-7777", "5521988887777", "(21) 8888-7777", "+55 21 8888-7777"):
        assert await found(number) == [by_name.id], number
    assert await found("(11) 98888-7777") == []  # the same digits in another area code: another person
    contacts = await client.get("/api/contacts", params={"search": "conceicao araujo"}, headers=headers)
    assert [item["id"] for item in contacts.json()["items"]] == [conceicao.id]


async def test_search_finds_every_word_in_the_singular_or_plural_in_any_order(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    singular = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue)
    await make_message(desk.context, ticket=singular, body="Meu pedido veio com defeito")
    plural = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue)
    await make_message(desk.context, ticket=plural, body="As ações da loja e os pedidos atrasados")
    headers = desk.headers("agent_in_queue")

    async def found(search: str) -> set[int]:
        return set(ids_of(await client.get("/api/tickets", params={"search": search}, headers=headers)))

    assert await found("pedidos") == {singular.id, plural.id}
    assert await found("pedido") == {singular.id, plural.id}
    assert await found("ação") == {plural.id}
    assert await found("defeito pedidos") == {singular.id}  # every word, in any order, in one message
    assert await found("pedido de troca") == set()


async def test_a_ticket_is_found_by_its_protocol_number_as_people_type_it(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    ticket = await desk.guarded_ticket()
    await make_ticket(desk.context, connection=desk.connection, queue=desk.queue)
    body = (await client.get(f"/api/tickets/{ticket.id}", headers=desk.headers("admin"))).json()
    protocol = body["protocol"]
    assert protocol == f"{ticket.created_at.year}-{ticket.id:06d}"

    async def found(search: str, persona: str = "admin") -> list[int]:
        return ids_of(await client.get("/api/tickets", params={"search": search}, headers=desk.headers(persona)))

    assert await found(protocol) == [ticket.id]
    assert await found(protocol.replace("-", "")) == [ticket.id]
    assert await found(f"{ticket.created_at.year - 1}-{ticket.id:06d}") == []  # another year's number
    assert await found(protocol, "agent_not_in_queue") == []


async def test_search_never_reaches_tickets_outside_the_callers_scope(client: httpx.AsyncClient, desk: Desk) -> None:
    hidden = await make_ticket(desk.context, connection=desk.connection, queue=desk.other_queue)
    await make_message(desk.context, ticket=hidden, body="segredo da outra fila")
    for persona in ("agent_in_queue", "assignee"):
        response = await client.get("/api/tickets", params={"search": "segredo"}, headers=desk.headers(persona))
        assert ids_of(response) == [], persona
    admin = await client.get("/api/tickets", params={"search": "segredo"}, headers=desk.headers("admin"))
    assert ids_of(admin) == [hidden.id]


async def test_ticket_json_has_the_documented_shape(client: httpx.AsyncClient, desk: Desk) -> None:
    contact = await make_contact(desk.context, name="Carla", phone="5511933332222")
    ticket = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue, contact=contact)
    body = (await client.get(f"/api/tickets/{ticket.id}", headers=desk.headers("admin"))).json()
    assert set(body) == {
        "id",
        "protocol",
        "status",
        "contact",
        "connection_id",
        "queue_id",
        "assignee_id",
        "unread_count",
        "last_message",
        "last_message_at",
        "last_activity_at",
        "created_at",
        "updated_at",
        "closed_at",
        "tag_ids",
        "choosing_queue",
        "rating",
        "rated_at",
    }
    assert body["contact"] == {
        "id": contact.id,
        "name": "Carla",
        "phone": "5511933332222",
        "profile_picture_url": None,
        "is_group": False,
    }
    assert (body["status"], body["queue_id"], body["last_message"]) == ("pending", desk.queue.id, None)


# --- actions ------------------------------------------------------------------------------------------


async def test_accept_makes_a_pending_ticket_open_and_mine(
    client: httpx.AsyncClient, desk: Desk, published: EventLog
) -> None:
    ticket = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue)
    response = await client.patch(
        f"/api/tickets/{ticket.id}", json={"action": "accept"}, headers=desk.headers("agent_in_queue")
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["assignee_id"]) == ("open", desk.agent_in_queue.id)
    (updated,) = published.named("ticket.updated")
    assert updated.payload == response.json()
    assert updated.rooms == ("admins", f"queue:{desk.queue.id}", f"user:{desk.agent_in_queue.id}")
    assert published.named("ticket.removed") == []


async def test_accepting_an_unclaimed_ticket_removes_it_from_every_other_agent(
    client: httpx.AsyncClient, desk: Desk, published: EventLog
) -> None:
    ticket = await make_ticket(desk.context, connection=desk.connection)
    response = await client.patch(
        f"/api/tickets/{ticket.id}", json={"action": "accept"}, headers=desk.headers("agent_not_in_queue")
    )
    assert response.status_code == 200
    assert [(e.name, e.rooms) for e in published.events] == [
        ("ticket.removed", ("agents",)),
        ("ticket.updated", ("admins", f"user:{desk.agent_not_in_queue.id}")),
        ("ticket.event", ("admins", f"user:{desk.agent_not_in_queue.id}")),
    ]
    assert published.events[0].payload == {"id": ticket.id}
    # The others no longer see it.
    assert (await client.get(f"/api/tickets/{ticket.id}", headers=desk.headers("assignee"))).status_code == 404


async def test_a_ticket_someone_else_accepted_cannot_be_accepted_again(client: httpx.AsyncClient, desk: Desk) -> None:
    ticket = await desk.guarded_ticket()
    response = await client.patch(
        f"/api/tickets/{ticket.id}", json={"action": "accept"}, headers=desk.headers("agent_in_queue")
    )
    assert response.status_code == 409
    assert response.json()["code"] == "not_pending"


async def test_two_agents_accepting_at_once_leave_the_ticket_with_one_of_them(
    client: httpx.AsyncClient, desk: Desk, session: AsyncSession
) -> None:
    ticket = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue)
    contenders = ("agent_in_queue", "admin")
    responses = await asyncio.gather(
        *(
            client.patch(f"/api/tickets/{ticket.id}", json={"action": "accept"}, headers=desk.headers(persona))
            for persona in contenders
        )
    )
    assert sorted(r.status_code for r in responses) == [200, 409]
    winner = next(r for r in responses if r.status_code == 200).json()["assignee_id"]
    stored = await session.get(Ticket, ticket.id)
    assert stored is not None
    assert stored.assignee_id == winner


async def test_transfer_tells_rooms_that_lost_the_ticket_only_its_id(
    client: httpx.AsyncClient, desk: Desk, published: EventLog
) -> None:
    ticket = await desk.guarded_ticket()
    response = await client.patch(
        f"/api/tickets/{ticket.id}",
        json={"action": "transfer", "queue_id": desk.other_queue.id, "assignee_id": desk.agent_not_in_queue.id},
        headers=desk.headers("assignee"),
    )
    assert response.status_code == 200
    assert (response.json()["queue_id"], response.json()["assignee_id"], response.json()["status"]) == (
        desk.other_queue.id,
        desk.agent_not_in_queue.id,
        "open",
    )
    removed, updated, recorded, notified = published.events
    assert (notified.name, notified.rooms) == ("notification.created", (f"user:{desk.agent_not_in_queue.id}",))
    assert (removed.name, removed.payload) == ("ticket.removed", {"id": ticket.id})
    assert (recorded.name, recorded.rooms) == ("ticket.event", updated.rooms)
    assert set(removed.rooms) == {f"queue:{desk.queue.id}", f"user:{desk.assignee.id}"}
    assert updated.name == "ticket.updated"
    assert updated.rooms == ("admins", f"queue:{desk.other_queue.id}", f"user:{desk.agent_not_in_queue.id}")
    assert updated.payload == response.json()
    # REST agrees with the rooms: the former holders lost it, the new one has it.
    assert (await client.get(f"/api/tickets/{ticket.id}", headers=desk.headers("assignee"))).status_code == 404
    assert (await client.get(f"/api/tickets/{ticket.id}", headers=desk.headers("agent_in_queue"))).status_code == 404
    gained = await client.get(f"/api/tickets/{ticket.id}", headers=desk.headers("agent_not_in_queue"))
    assert gained.status_code == 200


async def test_transfer_to_a_queue_alone_puts_the_ticket_back_to_pending(
    client: httpx.AsyncClient, desk: Desk, published: EventLog
) -> None:
    ticket = await desk.guarded_ticket()
    response = await client.patch(
        f"/api/tickets/{ticket.id}",
        json={"queue_id": desk.other_queue.id, "assignee_id": None},
        headers=desk.headers("assignee"),
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["assignee_id"]) == ("pending", None)
    assert published.named("ticket.updated")[0].rooms == ("admins", f"queue:{desk.other_queue.id}")


@pytest.mark.parametrize(
    ("body", "code"), [({"assignee_id": 987654}, "unknown_user"), ({"queue_id": 987654}, "unknown_queue")]
)
async def test_transfer_to_something_that_does_not_exist_is_a_409_conflict(
    client: httpx.AsyncClient, desk: Desk, body: dict[str, Any], code: str
) -> None:
    ticket = await desk.guarded_ticket()
    response = await client.patch(f"/api/tickets/{ticket.id}", json=body, headers=desk.headers("admin"))
    assert response.status_code == 409
    assert response.json()["code"] == code


@pytest.mark.parametrize(
    "body", [{"action": "transfer"}, {}, {"action": "close", "queue_id": 1}, {"action": None, "queue_id": 1}]
)
async def test_a_change_that_is_neither_an_action_nor_a_transfer_to_someone_is_422(
    client: httpx.AsyncClient, desk: Desk, body: dict[str, Any]
) -> None:
    ticket = await desk.guarded_ticket()
    response = await client.patch(f"/api/tickets/{ticket.id}", json=body, headers=desk.headers("admin"))
    assert (response.status_code, response.json()["code"]) == (422, "invalid")


async def test_close_then_reopen_gives_the_ticket_back_to_the_reopener(client: httpx.AsyncClient, desk: Desk) -> None:
    ticket = await desk.guarded_ticket()
    closed = await client.patch(f"/api/tickets/{ticket.id}", json={"action": "close"}, headers=desk.headers("admin"))
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert closed.json()["closed_at"] is not None
    reopened = await client.patch(
        f"/api/tickets/{ticket.id}", json={"action": "reopen"}, headers=desk.headers("agent_in_queue")
    )
    assert reopened.status_code == 200
    body = reopened.json()
    assert (body["status"], body["assignee_id"], body["closed_at"]) == ("open", desk.agent_in_queue.id, None)


async def test_reopen_is_refused_while_the_contact_has_another_active_ticket_on_that_connection(
    client: httpx.AsyncClient, desk: Desk, session: AsyncSession
) -> None:
    contact = await make_contact(desk.context)
    old = await make_ticket(
        desk.context, connection=desk.connection, queue=desk.queue, contact=contact, status=TicketStatus.CLOSED
    )
    await make_ticket(desk.context, connection=desk.connection, queue=desk.queue, contact=contact)
    response = await client.patch(f"/api/tickets/{old.id}", json={"action": "reopen"}, headers=desk.headers("admin"))
    assert response.status_code == 409
    assert response.json()["code"] == "active_ticket_exists"
    assert (await session.get(Ticket, old.id)) is not None
    assert (await session.get(Ticket, old.id)).status == TicketStatus.CLOSED  # type: ignore[union-attr]


async def test_reopening_an_open_ticket_is_a_conflict(client: httpx.AsyncClient, desk: Desk) -> None:
    ticket = await desk.guarded_ticket()
    response = await client.patch(f"/api/tickets/{ticket.id}", json={"action": "reopen"}, headers=desk.headers("admin"))
    assert response.status_code == 409
    assert response.json()["code"] == "not_closed"


# --- starting a conversation --------------------------------------------------------------------------


async def test_starting_a_conversation_reuses_the_active_ticket(
    client: httpx.AsyncClient, desk: Desk, published: EventLog
) -> None:
    contact = await make_contact(desk.context)
    body = {"contact_id": contact.id, "connection_id": desk.connection.id}
    first = await client.post("/api/tickets", json=body, headers=desk.headers("agent_in_queue"))
    assert first.status_code == 201
    assert (first.json()["status"], first.json()["assignee_id"], first.json()["queue_id"]) == (
        "open",
        desk.agent_in_queue.id,
        desk.queue.id,
    )
    (created,) = published.named("ticket.created")
    assert created.payload == first.json()
    second = await client.post("/api/tickets", json=body, headers=desk.headers("agent_in_queue"))
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]


async def test_starting_a_conversation_held_in_another_queue_is_a_conflict_without_its_content(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    contact = await make_contact(desk.context)
    await make_ticket(desk.context, connection=desk.connection, queue=desk.other_queue, contact=contact)
    response = await client.post(
        "/api/tickets",
        json={"contact_id": contact.id, "connection_id": desk.connection.id},
        headers=desk.headers("agent_in_queue"),
    )
    assert response.status_code == 409
    assert set(response.json()) == {"detail", "code"}


async def test_two_concurrent_starts_leave_exactly_one_active_ticket(
    client: httpx.AsyncClient, desk: Desk, session: AsyncSession
) -> None:
    contact = await make_contact(desk.context)
    body = {"contact_id": contact.id, "connection_id": desk.connection.id}
    responses = await asyncio.gather(
        client.post("/api/tickets", json=body, headers=desk.headers("admin")),
        client.post("/api/tickets", json=body, headers=desk.headers("admin")),
    )
    assert sorted(r.status_code for r in responses) == [200, 201]
    assert responses[0].json()["id"] == responses[1].json()["id"]
    count = await session.scalar(select(func.count()).select_from(Ticket).where(Ticket.contact_id == contact.id))
    assert count == 1


@pytest.mark.parametrize("unknown", ["contact", "connection"])
async def test_starting_a_conversation_with_unknown_contact_or_connection_is_refused(
    client: httpx.AsyncClient, desk: Desk, unknown: str
) -> None:
    contact = await make_contact(desk.context)
    payload = {"contact_id": contact.id, "connection_id": desk.connection.id, f"{unknown}_id": 987654}
    response = await client.post("/api/tickets", json=payload, headers=desk.headers("admin"))
    assert response.status_code == 409
    assert response.json()["code"] == f"unknown_{unknown}"


# --- bad requests -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "json", "status"),
    [
        ("GET", "/api/tickets/987654", None, 404),
        ("PATCH", "/api/tickets/987654", {"action": "close"}, 404),
        ("GET", "/api/tickets/abc", None, 422),
        ("GET", "/api/tickets/0", None, 422),
        ("GET", "/api/tickets/99999999999999999999999", None, 422),
        ("GET", "/api/tickets?status=lost", None, 422),
        ("GET", "/api/tickets?assignee=someone", None, 422),
        ("GET", "/api/tickets?queue_id=x", None, 422),
        ("GET", "/api/tickets?limit=0", None, 422),
        ("GET", "/api/tickets?limit=101", None, 422),
        ("GET", "/api/tickets?cursor=not-a-cursor", None, 422),
        ("GET", "/api/tickets?cursor=WzEsMl0", None, 422),
        ("PATCH", "/api/tickets/{id}", {"action": "explode"}, 422),
        ("PATCH", "/api/tickets/{id}", {"status": "closed"}, 422),
        ("PATCH", "/api/tickets/{id}", {"queue_id": "first"}, 422),
        ("POST", "/api/tickets", {"contact_id": "x", "connection_id": 1}, 422),
        ("POST", "/api/tickets", {}, 422),
    ],
)
async def test_unknown_ids_and_wrong_types_get_a_json_error(
    client: httpx.AsyncClient, desk: Desk, method: str, path: str, json: dict[str, Any] | None, status: int
) -> None:
    ticket = await desk.guarded_ticket()
    response = await client.request(method, path.format(id=ticket.id), json=json, headers=desk.headers("admin"))
    assert response.status_code == status, response.text
    assert set(response.json()) >= {"detail", "code"}
