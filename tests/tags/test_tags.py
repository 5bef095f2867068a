"""Tags: administrators define them; agents put them on the tickets they see and on contacts, and filter by them."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from tests.conftest import EventLog
from tests.tickets.factories import Desk, ids_of, make_contact, make_ticket
from zapdesk.context import AppContext
from zapdesk.tags.models import Tag


async def make_tag(client: httpx.AsyncClient, desk: Desk, name: str = "VIP", color: str = "#f59e0b") -> Any:
    response = await client.post("/api/tags", json={"name": name, "color": color}, headers=desk.headers("admin"))
    assert response.status_code == 201, response.text
    return response.json()


async def test_administrators_define_tags_and_everyone_lists_them(
    client: httpx.AsyncClient, desk: Desk, published: EventLog
) -> None:
    vip = await make_tag(client, desk, "VIP", "#F59E0B")
    assert (vip["name"], vip["color"]) == ("VIP", "#f59e0b")
    refused = await client.post("/api/tags", json={"name": "Urgente"}, headers=desk.headers("agent_in_queue"))
    assert refused.status_code == 403
    listed = await client.get("/api/tags", headers=desk.headers("agent_in_queue"))
    assert [tag["name"] for tag in listed.json()["items"]] == ["VIP"]
    renamed = await client.patch(f"/api/tags/{vip['id']}", json={"name": "Cliente VIP"}, headers=desk.headers("admin"))
    assert renamed.json()["name"] == "Cliente VIP"
    assert [event.name for event in published.events] == ["tag.created", "tag.updated"]
    assert published.events[0].rooms == ("admins", "agents")


async def test_a_tag_name_over_the_limit_or_taken_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, context: AppContext, desk: Desk
) -> None:
    too_long = await client.post("/api/tags", json={"name": "x" * 41}, headers=desk.headers("admin"))
    assert too_long.status_code == 422
    assert too_long.json()["code"] == "invalid"
    assert too_long.json()["errors"][0]["ctx"] == {"max_length": 40}
    await make_tag(client, desk, "VIP")
    taken = await client.post("/api/tags", json={"name": "vip"}, headers=desk.headers("admin"))
    assert (taken.status_code, taken.json()["code"]) == (409, "tag_name_taken")
    async with context.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Tag)) == 1


async def test_an_agent_tags_a_ticket_they_see_and_its_viewers_are_told(
    client: httpx.AsyncClient, desk: Desk, published: EventLog
) -> None:
    vip = await make_tag(client, desk)
    ticket = await desk.guarded_ticket()
    published.events.clear()
    response = await client.put(f"/api/tickets/{ticket.id}/tags/{vip['id']}", headers=desk.headers("agent_in_queue"))
    assert response.status_code == 200
    assert response.json()["tag_ids"] == [vip["id"]]
    [updated] = published.named("ticket.updated")
    assert updated.payload["tag_ids"] == [vip["id"]]
    assert updated.rooms == ("admins", f"queue:{desk.queue.id}", f"user:{desk.assignee.id}")
    # Tagging again changes nothing and tells nobody.
    again = await client.put(f"/api/tickets/{ticket.id}/tags/{vip['id']}", headers=desk.headers("assignee"))
    assert again.json()["tag_ids"] == [vip["id"]]
    assert len(published.named("ticket.updated")) == 1
    removed = await client.delete(f"/api/tickets/{ticket.id}/tags/{vip['id']}", headers=desk.headers("assignee"))
    assert removed.json()["tag_ids"] == []


async def test_the_ticket_list_filtered_by_a_tag_shows_only_the_tagged_tickets_the_caller_may_see(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    vip = await make_tag(client, desk)
    tagged = await desk.guarded_ticket()
    await desk.guarded_ticket()
    hidden = await make_ticket(desk.context, connection=desk.connection, queue=desk.other_queue)
    for ticket in (tagged, hidden):
        await client.put(f"/api/tickets/{ticket.id}/tags/{vip['id']}", headers=desk.headers("admin"))

    async def listed(persona: str) -> list[int]:
        return ids_of(await client.get("/api/tickets", params={"tag": vip["id"]}, headers=desk.headers(persona)))

    assert await listed("agent_in_queue") == [tagged.id]
    assert sorted(await listed("admin")) == sorted([tagged.id, hidden.id])


async def test_tagging_a_ticket_out_of_sight_or_with_an_unknown_tag_is_refused(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    vip = await make_tag(client, desk)
    ticket = await desk.guarded_ticket()
    hidden = await client.put(f"/api/tickets/{ticket.id}/tags/{vip['id']}", headers=desk.headers("agent_not_in_queue"))
    assert (hidden.status_code, hidden.json()["code"]) == (404, "ticket_not_found")
    unknown = await client.put(f"/api/tickets/{ticket.id}/tags/999999", headers=desk.headers("admin"))
    assert (unknown.status_code, unknown.json()["code"]) == (404, "tag_not_found")


async def test_contacts_carry_tags_and_the_contact_list_filters_by_them(
    client: httpx.AsyncClient, desk: Desk, published: EventLog
) -> None:
    vip = await make_tag(client, desk)
    ana = await make_contact(desk.context, name="Ana")
    await make_contact(desk.context, name="Bruno")
    published.events.clear()
    tagged = await client.put(f"/api/contacts/{ana.id}/tags/{vip['id']}", headers=desk.headers("agent_in_queue"))
    assert tagged.json()["tag_ids"] == [vip["id"]]
    [updated] = published.named("contact.updated")
    assert updated.payload["tag_ids"] == [vip["id"]]
    listed = await client.get("/api/contacts", params={"tag": vip["id"]}, headers=desk.headers("agent_in_queue"))
    assert [contact["name"] for contact in listed.json()["items"]] == ["Ana"]


async def test_deleting_a_tag_takes_it_off_every_ticket(client: httpx.AsyncClient, desk: Desk) -> None:
    vip = await make_tag(client, desk)
    ticket = await desk.guarded_ticket()
    await client.put(f"/api/tickets/{ticket.id}/tags/{vip['id']}", headers=desk.headers("admin"))
    deleted = await client.delete(f"/api/tags/{vip['id']}", headers=desk.headers("admin"))
    assert deleted.status_code == 204
    shown = await client.get(f"/api/tickets/{ticket.id}", headers=desk.headers("admin"))
    assert shown.json()["tag_ids"] == []
