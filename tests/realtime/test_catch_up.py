"""GET /api/events: after a reconnect, the events a user may see after the last position their client applied —
each once, in order, the same ones (same positions) the socket delivers live — or "resync" when too far behind.

No clock is involved: how far behind a client is counts positions, however long its tab slept.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.live_server import LiveServer
from tests.tickets.factories import Desk, make_ticket
from zapdesk.context import AppContext
from zapdesk.db import journal
from zapdesk.tickets.models import Ticket, TicketStatus


async def catch_up(client: httpx.AsyncClient, headers: dict[str, str], after: int | None) -> dict[str, Any]:
    params = {} if after is None else {"after": after}
    response = await client.get("/api/events", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def position_now(client: httpx.AsyncClient, desk: Desk) -> int:
    position: int = (await catch_up(client, desk.headers("admin"), None))["position"]
    return position


def about(event: dict[str, Any]) -> tuple[str, int]:
    """An event as (name, the ticket it concerns)."""
    payload = event["payload"]
    about_ticket = event["name"].startswith("message.") or event["name"] == "ticket.event"
    return event["name"], payload["ticket_id"] if about_ticket else payload["id"]


async def post_message(client: httpx.AsyncClient, desk: Desk, ticket: Ticket, body: str) -> None:
    response = await client.post(
        f"/api/tickets/{ticket.id}/messages", json={"body": body}, headers=desk.headers("admin")
    )
    assert response.status_code == 201, response.text


async def transfer(client: httpx.AsyncClient, desk: Desk, ticket: Ticket, queue_id: int) -> None:
    response = await client.patch(
        f"/api/tickets/{ticket.id}", json={"queue_id": queue_id}, headers=desk.headers("admin")
    )
    assert response.status_code == 200, response.text


async def test_an_agent_catches_up_on_exactly_what_they_may_see_in_order_once(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    ours, theirs = await desk.open_ticket_in(desk.queue), await desk.open_ticket_in(desk.other_queue)
    before = await position_now(client, desk)

    await post_message(client, desk, ours, "para Suporte")
    await post_message(client, desk, theirs, "para Vendas")
    await transfer(client, desk, ours, desk.other_queue.id)  # out of the agent's sight
    await transfer(client, desk, theirs, desk.queue.id)  # into it

    agent = await catch_up(client, desk.headers("agent_in_queue"), before)
    admin = await catch_up(client, desk.headers("admin"), before)

    assert agent["resync"] is False
    assert [about(event) for event in agent["events"]] == [
        ("message.created", ours.id),
        ("ticket.updated", ours.id),
        ("ticket.removed", ours.id),  # only its id: the agent may no longer see the rest
        ("ticket.updated", theirs.id),
        ("ticket.event", theirs.id),  # its history line "transferred" (ours' went where ours went)
    ]
    assert agent["events"][2]["payload"] == {"id": ours.id}
    # The admin sees all but the removals; what both see has the same positions and content.
    assert [about(event) for event in admin["events"]] == [
        ("message.created", ours.id),
        ("ticket.updated", ours.id),
        ("message.created", theirs.id),
        ("ticket.updated", theirs.id),
        ("ticket.updated", ours.id),
        ("ticket.event", ours.id),
        ("ticket.updated", theirs.id),
        ("ticket.event", theirs.id),
    ]
    by_position = {event["seq"]: event for event in admin["events"]}
    assert all(by_position[e["seq"]] == e for e in agent["events"] if e["name"] != "ticket.removed")
    # Ten positions in all: the two removals went to rooms the admin is not in.
    assert [event["seq"] for event in admin["events"]] == [before + n for n in (1, 2, 3, 4, 6, 7, 9, 10)]
    assert agent["position"] == admin["position"] == before + 10


async def test_catching_up_again_from_the_answers_position_repeats_nothing(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    ticket = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue, status=TicketStatus.OPEN)
    start = await position_now(client, desk)
    await post_message(client, desk, ticket, "primeira")
    first = await catch_up(client, desk.headers("agent_in_queue"), start)
    await post_message(client, desk, ticket, "segunda")
    second = await catch_up(client, desk.headers("agent_in_queue"), first["position"])
    nothing_new = await catch_up(client, desk.headers("agent_in_queue"), second["position"])

    bodies = [e["payload"]["body"] for e in first["events"] + second["events"] if e["name"] == "message.created"]
    assert bodies == ["primeira", "segunda"]
    assert nothing_new == {"resync": False, "position": second["position"], "events": []}


async def test_catch_up_replays_what_the_socket_delivered_live_with_the_same_positions(
    live_server: LiveServer, desk: Desk
) -> None:
    ours, theirs = await desk.open_ticket_in(desk.queue), await desk.open_ticket_in(desk.other_queue)
    async with live_server.http(desk.admin) as admin:
        before = (await admin.get("/api/events")).json()["position"]
        async with live_server.socket(live_server.token(desk.agent_in_queue)) as socket:
            for ticket, body in ((ours, "um"), (theirs, "dois"), (ours, "três")):
                response = await admin.post(f"/api/tickets/{ticket.id}/messages", json={"body": body})
                assert response.status_code == 201
            response = await admin.patch(f"/api/tickets/{ours.id}", json={"queue_id": desk.other_queue.id})
            assert response.status_code == 200
            await socket.wait_for("ticket.removed")
        async with live_server.http(desk.agent_in_queue) as agent:
            replayed = (await agent.get("/api/events", params={"after": before})).json()

    # Logged events only: presence (who came online) is no database change and has no position to replay.
    live = [
        {"seq": seq, "name": name, "payload": payload}
        for seq, (name, payload) in zip(socket.positions, socket.received, strict=True)
        if seq is not None
    ]
    assert replayed["events"] == live
    assert [event["seq"] for event in live] == sorted({event["seq"] for event in live})  # in order, once


async def test_a_client_too_far_behind_is_told_to_resync(
    client: httpx.AsyncClient, desk: Desk, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(context.settings, "event_replay_limit", 3)
    ticket = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue, status=TicketStatus.OPEN)
    start = await position_now(client, desk)
    await post_message(client, desk, ticket, "um")  # 2 positions: message.created, ticket.updated
    within = await catch_up(client, desk.headers("agent_in_queue"), start)
    await post_message(client, desk, ticket, "dois")  # now 4 positions after `start`

    behind = await catch_up(client, desk.headers("agent_in_queue"), start)

    assert within["resync"] is False and len(within["events"]) == 2
    assert behind == {"resync": True, "position": start + 4, "events": []}


async def test_positions_no_longer_kept_are_answered_with_resync(
    client: httpx.AsyncClient, desk: Desk, context: AppContext
) -> None:
    ticket = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue, status=TicketStatus.OPEN)
    start = await position_now(client, desk)
    for body in ("um", "dois", "três"):
        await post_message(client, desk, ticket, body)
    await journal.prune(context.sessionmaker, keep=2)

    pruned = await catch_up(client, desk.headers("agent_in_queue"), start)
    kept = await catch_up(client, desk.headers("agent_in_queue"), start + 4)

    assert pruned == {"resync": True, "position": start + 6, "events": []}
    assert kept["resync"] is False and [e["name"] for e in kept["events"]] == ["message.created", "ticket.updated"]


async def test_no_position_or_one_this_server_never_reached_is_answered_with_resync(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    latest = await position_now(client, desk)

    fresh = await catch_up(client, desk.headers("assignee"), None)
    from_elsewhere = await catch_up(client, desk.headers("assignee"), latest + 100)

    assert fresh == {"resync": True, "position": latest, "events": []}
    assert from_elsewhere == {"resync": True, "position": latest, "events": []}


async def test_catch_up_needs_a_signed_in_caller_and_a_whole_non_negative_position(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    anonymous = await client.get("/api/events", params={"after": 0})
    answers = [
        await client.get("/api/events", params={"after": after}, headers=desk.headers("admin"))
        for after in ("-1", "0.5", "yesterday", str(2**53))
    ]

    assert anonymous.status_code == 401
    assert [answer.status_code for answer in answers] == [422, 422, 422, 422]
    assert {answer.json()["code"] for answer in answers} == {"invalid"}
