"""Scheduling a message: written now, changed or cancelled until it goes out, seen by its author and admins."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from tests.conftest import EventLog
from tests.media.samples import PDF
from tests.tickets.factories import Desk, make_contact
from zapdesk.db.base import utcnow


def _in(minutes: int) -> str:
    return (utcnow() + timedelta(minutes=minutes)).isoformat()


async def _schedule(client: httpx.AsyncClient, desk: Desk, persona: str, **body: Any) -> httpx.Response:
    contact = await make_contact(desk.context, name="Maria Silva")
    values = {"connection_id": desk.connection.id, "contact_id": contact.id, "body": "Oi!", "send_at": _in(60)}
    return await client.post("/api/scheduled-messages", json=values | body, headers=desk.headers(persona))


async def test_a_scheduled_message_waits_with_its_contact_and_author(
    client: httpx.AsyncClient, desk: Desk, published: EventLog
) -> None:
    response = await _schedule(client, desk, "agent_in_queue", body="Seu pedido chegou, {{first_name}}!")

    assert response.status_code == 201, response.text
    item = response.json()
    assert (item["status"], item["contact_name"], item["author_id"], item["body"], item["open_ticket"]) == (
        "scheduled",
        "Maria Silva",
        desk.agent_in_queue.id,
        "Seu pedido chegou, {{first_name}}!",
        True,
    )
    (event,) = published.named("scheduled_message.updated")
    assert event.rooms == ("admins", f"user:{desk.agent_in_queue.id}")


async def test_its_text_and_time_change_until_it_goes_out(client: httpx.AsyncClient, desk: Desk) -> None:
    scheduled = (await _schedule(client, desk, "agent_in_queue")).json()
    later = _in(120)

    response = await client.patch(
        f"/api/scheduled-messages/{scheduled['id']}",
        json={"body": "Mudou de ideia", "send_at": later, "open_ticket": False},
        headers=desk.headers("agent_in_queue"),
    )

    assert response.status_code == 200, response.text
    assert (response.json()["body"], response.json()["open_ticket"]) == ("Mudou de ideia", False)
    assert response.json()["send_at"][:19] == later[:19]


async def test_an_agent_sees_their_own_and_an_admin_sees_all(client: httpx.AsyncClient, desk: Desk) -> None:
    mine = (await _schedule(client, desk, "agent_in_queue")).json()
    theirs = (await _schedule(client, desk, "agent_not_in_queue")).json()

    async def ids(persona: str) -> list[int]:
        response = await client.get("/api/scheduled-messages", headers=desk.headers(persona))
        assert response.status_code == 200
        return [item["id"] for item in response.json()["items"]]

    assert await ids("agent_in_queue") == [mine["id"]]
    assert await ids("admin") == [mine["id"], theirs["id"]]
    other = await client.post(f"/api/scheduled-messages/{theirs['id']}/cancel", headers=desk.headers("agent_in_queue"))
    assert (other.status_code, other.json()["code"]) == (404, "scheduled_not_found")


async def test_the_list_filters_by_status_and_time(client: httpx.AsyncClient, desk: Desk) -> None:
    soon = (await _schedule(client, desk, "admin", send_at=_in(10))).json()
    late = (await _schedule(client, desk, "admin", send_at=_in(600))).json()
    await client.post(f"/api/scheduled-messages/{late['id']}/cancel", headers=desk.headers("admin"))

    async def ids(**params: str) -> list[int]:
        response = await client.get("/api/scheduled-messages", params=params, headers=desk.headers("admin"))
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await ids(status="scheduled") == [soon["id"]]
    assert await ids(status="cancelled") == [late["id"]]
    assert await ids(before=_in(60)) == [soon["id"]]
    assert await ids(after=_in(60)) == [late["id"]]


async def test_a_file_may_be_scheduled_with_or_without_a_caption(client: httpx.AsyncClient, desk: Desk) -> None:
    contact = await make_contact(desk.context)

    response = await client.post(
        "/api/scheduled-messages/with-file",
        data={"connection_id": str(desk.connection.id), "contact_id": str(contact.id), "send_at": _in(30)},
        files={"file": ("catalogo.pdf", PDF, "application/pdf")},
        headers=desk.headers("agent_in_queue"),
    )

    assert response.status_code == 201, response.text
    assert (response.json()["media_name"], response.json()["media_type"], response.json()["body"]) == (
        "catalogo.pdf",
        "document",
        "",
    )


async def test_a_text_message_needs_its_text(client: httpx.AsyncClient, desk: Desk) -> None:
    response = await _schedule(client, desk, "agent_in_queue", body="   ")

    assert response.status_code == 422
    assert [(e["loc"], e["type"]) for e in response.json()["errors"]] == [(["body", "body"], "missing")]
