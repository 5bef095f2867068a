"""The contact panel's data: typed custom fields an administrator defines, notes, and the contact's tickets."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from tests.tickets.factories import Desk, ids_of, make_contact, make_ticket
from zapdesk.contacts.models import Contact
from zapdesk.tickets.models import TicketStatus


async def define_fields(client: httpx.AsyncClient, desk: Desk) -> None:
    for label, kind in (("Pedidos feitos", "number"), ("Aniversário", "date"), ("E-mail de cobrança", "email")):
        response = await client.post(
            "/api/contact-fields", json={"label": label, "type": kind}, headers=desk.headers("admin")
        )
        assert response.status_code == 201, response.text


async def test_administrators_define_typed_fields_with_keys_made_from_their_labels(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    await define_fields(client, desk)
    listed = await client.get("/api/contact-fields", headers=desk.headers("agent_in_queue"))
    assert [(f["key"], f["type"]) for f in listed.json()] == [
        ("pedidos_feitos", "number"),
        ("aniversario", "date"),
        ("e_mail_de_cobranca", "email"),
    ]
    refused = await client.post("/api/contact-fields", json={"label": "CPF"}, headers=desk.headers("agent_in_queue"))
    assert refused.status_code == 403
    taken = await client.post("/api/contact-fields", json={"label": "Aniversário"}, headers=desk.headers("admin"))
    assert (taken.status_code, taken.json()["code"]) == (409, "contact_field_taken")


async def test_values_are_checked_against_their_types_and_stored_normalized(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    await define_fields(client, desk)
    contact = await make_contact(desk.context)
    values = {"pedidos_feitos": "12,5", "aniversario": "1990-07-04", "e_mail_de_cobranca": "Ana@Example.COM"}
    response = await client.patch(
        f"/api/contacts/{contact.id}", json={"custom_fields": values}, headers=desk.headers("agent_in_queue")
    )
    assert response.status_code == 200, response.text
    assert response.json()["custom_fields"] == {
        "pedidos_feitos": "12.5",
        "aniversario": "1990-07-04",
        "e_mail_de_cobranca": "Ana@example.com",
    }


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"pedidos_feitos": "muitos"}, "invalid_custom_field"),
        ({"aniversario": "04/07/1990"}, "invalid_custom_field"),
        ({"e_mail_de_cobranca": "ana@"}, "invalid_custom_field"),
    ],
)
async def test_a_value_of_the_wrong_type_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, desk: Desk, values: dict[str, str], code: str
) -> None:
    await define_fields(client, desk)
    contact = await make_contact(desk.context, name="Antes")
    response = await client.patch(
        f"/api/contacts/{contact.id}",
        json={"name": "Depois", "custom_fields": values},
        headers=desk.headers("agent_in_queue"),
    )
    assert (response.status_code, response.json()["code"]) == (422, code)
    async with desk.context.sessionmaker() as session:
        stored = (await session.execute(select(Contact).where(Contact.id == contact.id))).scalar_one()
        assert (stored.name, stored.custom_fields) == ("Antes", {})


async def test_team_notes_about_a_contact_are_kept(client: httpx.AsyncClient, desk: Desk) -> None:
    contact = await make_contact(desk.context)
    response = await client.patch(
        f"/api/contacts/{contact.id}",
        json={"notes": "Prefere ser atendida à tarde."},
        headers=desk.headers("agent_in_queue"),
    )
    assert response.json()["notes"] == "Prefere ser atendida à tarde."


async def test_a_contacts_earlier_tickets_are_listed_within_the_callers_visibility(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    contact = await make_contact(desk.context)
    mine = await make_ticket(
        desk.context, connection=desk.connection, contact=contact, queue=desk.queue, status=TicketStatus.CLOSED
    )
    theirs = await make_ticket(
        desk.context, connection=desk.connection, contact=contact, queue=desk.other_queue, status=TicketStatus.CLOSED
    )
    await make_ticket(desk.context, connection=desk.connection, queue=desk.queue, status=TicketStatus.CLOSED)

    async def listed(persona: str) -> list[int]:
        params = {"contact_id": contact.id}
        return ids_of(await client.get("/api/tickets", params=params, headers=desk.headers(persona)))

    assert await listed("agent_in_queue") == [mine.id]
    assert sorted(await listed("admin")) == sorted([mine.id, theirs.id])
