"""/api/contacts: every signed-in user reads and edits contacts, admins delete; numbers are normalized."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import EventLog
from tests.tickets.factories import PERSONAS, Desk, ids_of, make_contact, make_message, make_ticket
from zapdesk.contacts.models import Contact
from zapdesk.messages.models import Message
from zapdesk.tickets.models import Ticket

# (method, path, body, status for an agent, status for an admin); anonymous always gets 401.
CONTACT_ROUTES: list[tuple[str, str, dict[str, Any] | None, int, int]] = [
    ("GET", "/api/contacts", None, 200, 200),
    ("POST", "/api/contacts", {"name": "Nova", "phone": "+55 11 90000-{n:04d}"}, 201, 201),
    ("GET", "/api/contacts/{id}", None, 200, 200),
    ("PATCH", "/api/contacts/{id}", {"name": "Renamed"}, 200, 200),
    ("DELETE", "/api/contacts/{id}", None, 403, 204),
]


@pytest.mark.parametrize(("method", "path", "body", "as_agent", "as_admin"), CONTACT_ROUTES)
async def test_contact_route_answers_each_caller_by_role(
    client: httpx.AsyncClient,
    desk: Desk,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    as_agent: int,
    as_admin: int,
) -> None:
    for number, persona in enumerate(PERSONAS):
        contact = await make_contact(desk.context)
        payload = {k: v.format(n=number) if isinstance(v, str) else v for k, v in body.items()} if body else None
        response = await client.request(method, path.format(id=contact.id), json=payload, headers=desk.headers(persona))
        expected = {"anonymous": 401, "admin": as_admin}.get(persona, as_agent)
        assert response.status_code == expected, (persona, response.text)


async def define_field(client: httpx.AsyncClient, desk: Desk, key: str, kind: str = "text") -> None:
    body = {"label": key.upper(), "key": key, "type": kind}
    response = await client.post("/api/contact-fields", json=body, headers=desk.headers("admin"))
    assert response.status_code == 201, response.text


async def test_created_contact_has_a_normalized_phone_and_the_documented_shape(
    client: httpx.AsyncClient, desk: Desk, published: EventLog
) -> None:
    await define_field(client, desk, "cpf")
    response = await client.post(
        "/api/contacts",
        json={
            "name": "  Maria Souza ",
            "phone": "+55 (11) 98888-7777",
            "custom_fields": {"cpf": "123.456.789-00"},
        },
        headers=desk.headers("agent_in_queue"),
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {
        "id",
        "name",
        "phone",
        "push_name",
        "profile_picture_url",
        "custom_fields",
        "is_group",
        "notes",
        "tag_ids",
        "created_at",
        "updated_at",
    }
    assert (body["name"], body["phone"], body["custom_fields"], body["is_group"]) == (
        "Maria Souza",
        "5511988887777",
        {"cpf": "123.456.789-00"},
        False,
    )
    (event,) = published.named("contact.updated")
    assert event.payload == body
    assert event.rooms == ("admins", "agents")


async def test_a_phone_another_contact_has_is_a_conflict(client: httpx.AsyncClient, desk: Desk) -> None:
    await make_contact(desk.context, phone="5511988887777")
    response = await client.post(
        "/api/contacts", json={"name": "Dup", "phone": "+55 11 98888 7777"}, headers=desk.headers("admin")
    )
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_phone"
    other = await make_contact(desk.context)
    patch = await client.patch(
        f"/api/contacts/{other.id}", json={"phone": "5511988887777"}, headers=desk.headers("admin")
    )
    assert patch.status_code == 409


async def test_two_concurrent_creates_of_one_number_leave_one_contact(
    client: httpx.AsyncClient, desk: Desk, session: AsyncSession
) -> None:
    body = {"name": "Twice", "phone": "5511911112222"}
    responses = await asyncio.gather(
        client.post("/api/contacts", json=body, headers=desk.headers("admin")),
        client.post("/api/contacts", json=body, headers=desk.headers("admin")),
    )
    assert sorted(r.status_code for r in responses) == [201, 409]
    count = await session.scalar(select(func.count()).select_from(Contact).where(Contact.phone == "5511911112222"))
    assert count == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "phone": "123"}, "invalid_phone"),
        ({"name": "X", "phone": "55 11 9888a7777"}, "invalid_phone"),
        ({"name": "X"}, "invalid"),
        ({"name": "X", "phone": 5511988887777}, "invalid"),
        ({"name": "", "phone": "5511988887777"}, "invalid"),
        ({"name": "X", "phone": "5511988887777", "custom_fields": {"a": [1]}}, "invalid"),
        ({"name": "X", "phone": "5511988887777", "colour": "red"}, "invalid"),
    ],
)
async def test_invalid_contacts_are_refused_with_422(
    client: httpx.AsyncClient, desk: Desk, body: dict[str, Any], field: str
) -> None:
    response = await client.post("/api/contacts", json=body, headers=desk.headers("admin"))
    assert response.status_code == 422, response.text
    assert response.json()["code"] == field


async def test_a_custom_field_nobody_defined_is_a_409_conflict(client: httpx.AsyncClient, desk: Desk) -> None:
    body = {"name": "X", "phone": "5511988887777", "custom_fields": {"a": "1"}}
    response = await client.post("/api/contacts", json=body, headers=desk.headers("admin"))
    assert (response.status_code, response.json()["code"]) == (409, "unknown_custom_field")


async def test_patch_changes_only_the_fields_sent_and_null_clears_optional_ones(
    client: httpx.AsyncClient, desk: Desk, published: EventLog
) -> None:
    await define_field(client, desk, "a")
    created = await client.post(
        "/api/contacts",
        json={"name": "Maria", "phone": "5511988887777", "push_name": "Mari", "custom_fields": {"a": "1"}},
        headers=desk.headers("admin"),
    )
    contact_id = created.json()["id"]
    response = await client.patch(
        f"/api/contacts/{contact_id}",
        json={"push_name": None, "phone": "+55 11 98888-0000"},
        headers=desk.headers("agent_not_in_queue"),
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["phone"], body["push_name"], body["custom_fields"]) == (
        "Maria",
        "5511988880000",
        None,
        {"a": "1"},
    )
    assert published.named("contact.updated")[-1].payload == body
    refused = await client.patch(f"/api/contacts/{contact_id}", json={"name": None}, headers=desk.headers("admin"))
    assert refused.status_code == 422


async def test_search_finds_contacts_by_name_or_number(client: httpx.AsyncClient, desk: Desk) -> None:
    maria = await make_contact(desk.context, name="Maria Souza", phone="5511987654321")
    joao = await make_contact(desk.context, name="João Lima", phone="5521912340000")
    await make_contact(desk.context, name="Bruno", phone="5531955550000")
    headers = desk.headers("agent_in_queue")

    async def found(search: str) -> list[int]:
        return ids_of(await client.get("/api/contacts", params={"search": search}, headers=headers))

    assert await found("souza") == [maria.id]
    assert await found("987654") == [maria.id]
    assert await found("+55 21") == [joao.id]
    assert await found("_") == []


async def test_contact_pages_return_each_contact_exactly_once_by_name(client: httpx.AsyncClient, desk: Desk) -> None:
    names = ["Carla", "Ana", "Bia", "Ana", "Davi", "Eva", "Bia"]
    contacts = [await make_contact(desk.context, name=name) for name in names]
    expected = [c.id for c in sorted(contacts, key=lambda c: (c.name, c.id))]
    seen: list[int] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/api/contacts", params=params, headers=desk.headers("admin"))
        seen.extend(ids_of(response))
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == expected


async def test_deleting_a_contact_removes_its_tickets_and_tells_their_rooms(
    client: httpx.AsyncClient, desk: Desk, published: EventLog, session: AsyncSession
) -> None:
    contact = await make_contact(desk.context)
    ticket = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue, contact=contact)
    await make_message(desk.context, ticket=ticket)
    response = await client.delete(f"/api/contacts/{contact.id}", headers=desk.headers("admin"))
    assert response.status_code == 204
    assert [(e.name, e.payload, e.rooms) for e in published.events] == [
        ("ticket.removed", {"id": ticket.id}, ("admins", f"queue:{desk.queue.id}")),
        ("contact.removed", {"id": contact.id}, ("admins", "agents")),
    ]
    gone = await client.get(f"/api/contacts/{contact.id}", headers=desk.headers("admin"))
    assert gone.status_code == 404
    assert await session.get(Ticket, ticket.id) is None
    assert await session.scalar(select(func.count()).select_from(Message)) == 0


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/contacts/987654", 404),
        ("PATCH", "/api/contacts/987654", 404),
        ("DELETE", "/api/contacts/987654", 404),
        ("GET", "/api/contacts/abc", 422),
        ("GET", "/api/contacts?limit=101", 422),
        ("GET", "/api/contacts?cursor=@@@", 422),
    ],
)
async def test_unknown_contact_ids_and_wrong_types_get_a_json_error(
    client: httpx.AsyncClient, desk: Desk, method: str, path: str, status: int
) -> None:
    response = await client.request(
        method, path, json={"name": "X"} if method == "PATCH" else None, headers=desk.headers("admin")
    )
    assert response.status_code == status, response.text
    assert set(response.json()) >= {"detail", "code"}
