"""What cannot be a schedule, a menu, a template or a time to send is refused: 422 with the field at fault and
a `type` the UI words in Portuguese, and nothing of the request stored."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.tickets.factories import Desk, make_contact, make_queue
from zapdesk.db.base import utcnow

WEEKDAY = [{"start": "08:00", "end": "12:00"}]


def _errors(response: httpx.Response) -> list[tuple[list[Any], str]]:
    assert response.status_code == 422, response.text
    return [(error["loc"], error["type"]) for error in response.json()["errors"]]


async def _connection(client: httpx.AsyncClient, desk: Desk) -> dict[str, Any]:
    response = await client.get(f"/api/connections/{desk.connection.id}", headers=desk.headers("admin"))
    assert response.status_code == 200
    return dict(response.json())


@pytest.mark.parametrize(
    ("automation", "expected"),
    [
        (
            {
                "hours": {
                    "enabled": True,
                    "days": {"mon": [{"start": "08:00", "end": "12:00"}, {"start": "11:30", "end": "14:00"}]},
                }
            },
            (["body", "automation", "hours", "days", "mon"], "intervals_overlap"),
        ),
        (
            {"hours": {"days": {"tue": [{"start": "18:00", "end": "08:00"}]}}},
            (["body", "automation", "hours", "days", "tue", 0], "interval_ends_before_start"),
        ),
        (
            {"hours": {"exceptions": [{"date": "2026-12-25"}, {"date": "2026-12-25", "label": "Natal"}]}},
            (["body", "automation", "hours", "exceptions"], "exception_date_repeated"),
        ),
        (
            {"messages": {"accept": "Olá {{first_name, você está com {{agent}}"}},
            (["body", "automation", "messages", "accept"], "template_unbalanced"),
        ),
        (
            {"timers": {"close_after_minutes": 30, "remind_before_minutes": 30}},
            (["body", "automation", "timers", "remind_before_minutes"], "reminder_after_closing"),
        ),
    ],
    ids=["overlapping-intervals", "ends-before-start", "holiday-twice", "unbalanced-template", "late-reminder"],
)
async def test_a_connections_automation_that_makes_no_sense_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, desk: Desk, automation: dict[str, Any], expected: tuple[list[Any], str]
) -> None:
    before = await _connection(client, desk)

    response = await client.patch(
        f"/api/connections/{desk.connection.id}",
        json={"greeting_message": "Mudou", "automation": automation},
        headers=desk.headers("admin"),
    )

    assert _errors(response) == [expected]
    assert await _connection(client, desk) == before


async def test_a_greeting_with_unbalanced_braces_is_refused(client: httpx.AsyncClient, desk: Desk) -> None:
    response = await client.patch(
        f"/api/connections/{desk.connection.id}",
        json={"greeting_message": "Olá, {{name}!"},
        headers=desk.headers("admin"),
    )

    assert _errors(response) == [(["body", "greeting_message"], "template_unbalanced")]
    assert response.json()["errors"][0]["ctx"] == {"position": 6}


async def test_two_queues_with_one_number_cannot_share_a_menu_and_nothing_is_stored(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    vendas = await make_queue(desk.context, "Loja", order=7)
    estoque = await make_queue(desk.context, "Estoque", order=7)
    before = await _connection(client, desk)

    response = await client.patch(
        f"/api/connections/{desk.connection.id}",
        json={"name": "Outro nome", "queue_ids": [vendas.id, estoque.id], "automation": {"menu": {"enabled": True}}},
        headers=desk.headers("admin"),
    )

    assert _errors(response) == [(["body", "queue_ids"], "menu_number_repeated")]
    assert response.json()["errors"][0]["ctx"] == {"number": 7}
    assert await _connection(client, desk) == before


async def test_a_queue_cannot_take_a_number_another_queue_of_its_menu_has(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    admin = desk.headers("admin")
    other = await make_queue(desk.context, "Financeiro", order=4)
    await client.patch(
        f"/api/connections/{desk.connection.id}", json={"queue_ids": [desk.queue.id, other.id]}, headers=admin
    )

    response = await client.patch(f"/api/queues/{desk.queue.id}", json={"order": 4, "name": "Novo"}, headers=admin)

    assert _errors(response) == [(["body", "order"], "menu_number_taken")]
    assert response.json()["errors"][0]["ctx"] == {"number": 4, "queue": "Financeiro"}
    unchanged = (await client.get(f"/api/queues/{desk.queue.id}", headers=admin)).json()
    assert (unchanged["name"], unchanged["order"]) == ("Suporte", desk.queue.order)


async def test_options_under_a_queue_need_distinct_numbers_and_one_outcome(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    admin = desk.headers("admin")
    twice = [{"number": 1, "label": "Boleto", "answer": "a"}, {"number": 1, "label": "Pix", "answer": "b"}]
    neither = [{"number": 2, "label": "Nada"}]

    repeated = await client.patch(f"/api/queues/{desk.queue.id}", json={"options": twice}, headers=admin)
    empty = await client.patch(f"/api/queues/{desk.queue.id}", json={"options": neither}, headers=admin)

    assert _errors(repeated) == [(["body", "options"], "menu_number_repeated")]
    assert _errors(empty) == [(["body", "options", 0], "option_outcome")]
    assert (await client.get(f"/api/queues/{desk.queue.id}", headers=admin)).json()["options"] == []


async def test_a_fallback_queue_the_connection_does_not_serve_is_refused(client: httpx.AsyncClient, desk: Desk) -> None:
    response = await client.patch(
        f"/api/connections/{desk.connection.id}",
        json={"automation": {"menu": {"enabled": True, "fallback_queue_id": desk.other_queue.id}}},
        headers=desk.headers("admin"),
    )

    assert _errors(response) == [(["body", "automation", "menu", "fallback_queue_id"], "fallback_not_served")]


async def test_a_message_scheduled_in_the_past_is_refused_and_nothing_is_scheduled(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    contact = await make_contact(desk.context)
    agent = desk.headers("agent_in_queue")
    body = {
        "connection_id": desk.connection.id,
        "contact_id": contact.id,
        "body": "Bom dia!",
        "send_at": (utcnow() - timedelta(minutes=1)).isoformat(),
    }

    response = await client.post("/api/scheduled-messages", json=body, headers=agent)
    unbalanced = await client.post(
        "/api/scheduled-messages",
        json=body | {"body": "Olá {{name", "send_at": (utcnow() + timedelta(hours=1)).isoformat()},
        headers=agent,
    )

    assert _errors(response) == [(["body", "send_at"], "send_at_in_past")]
    assert _errors(unbalanced) == [(["body", "body"], "template_unbalanced")]
    assert (await client.get("/api/scheduled-messages", headers=agent)).json()["items"] == []
