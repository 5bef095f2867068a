"""Outgoing webhooks to a receiver on loopback: every event once, in order per ticket, signed so that the
Standard Webhooks reference library verifies it; retried after 500s; logged; refused inside our network when
private targets are not allowed, also when a name comes to resolve there later (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.conftest import EventLog, MakeUser
from tests.live_server import LiveServer, serve
from tests.tickets.factories import make_connection
from zapdesk.db.uow import unit_of_work
from zapdesk.kit.secrets import SecretBox
from zapdesk.users.models import Role, User
from zapdesk.webhooks.events import EVENT_TYPES
from zapdesk.webhooks.models import WebhookEndpoint
from zapdesk.webhooks.signing import new_secret


@dataclass
class Receiver:
    """An automation's endpoint: records what it gets, answering with `statuses` first (then 200)."""

    statuses: list[int] = field(default_factory=list)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""

    async def hook(self, request: Request) -> Response:
        body = await request.body()
        self.received.append((dict(request.headers), body))
        status = self.statuses.pop(0) if self.statuses else 200
        return Response(f"answer {status}", status_code=status)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/hook", self.hook, methods=["POST"])])

    async def wait_for(self, check: Callable[[], bool], timeout: float = 15.0) -> None:
        async with asyncio.timeout(timeout):
            while not check():
                await asyncio.sleep(0.05)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    async with serve(receiver.app()) as url:
        receiver.url = f"{url}/hook"
        yield receiver


@pytest.fixture
async def admin_http(live_server: LiveServer, make_user: MakeUser) -> AsyncIterator[httpx.AsyncClient]:
    live_server.context.settings.webhook_retry_base_seconds = 0.05
    admin: User = await make_user(role=Role.ADMIN)
    async with live_server.http(admin) as http:
        yield http


async def register(http: httpx.AsyncClient, url: str, events: list[str] | None = None) -> dict[str, Any]:
    response = await http.post("/api/webhook-endpoints", json={"url": url, "events": events or list(EVENT_TYPES)})
    assert response.status_code == 201, response.text
    endpoint: dict[str, Any] = response.json()
    return endpoint


async def test_every_event_arrives_once_in_order_per_ticket_and_verifies_with_the_reference_library(
    live_server: LiveServer, admin_http: httpx.AsyncClient, receiver: Receiver, published: EventLog
) -> None:
    endpoint = await register(admin_http, receiver.url)
    connection = await make_connection(live_server.context, name="Vendas")
    ticket_ids = []
    for n in range(3):
        contact = await admin_http.post("/api/contacts", json={"phone": f"55119777700{n:02d}", "name": f"Cliente {n}"})
        ticket = await admin_http.post(
            "/api/tickets", json={"contact_id": contact.json()["id"], "connection_id": connection.id}
        )
        ticket_ids.append(ticket.json()["id"])
    for round_ in range(3):
        for ticket_id in ticket_ids:
            sent = await admin_http.post(f"/api/tickets/{ticket_id}/messages", json={"body": f"mensagem {round_}"})
            assert sent.status_code == 201, sent.text
    expected = [event for event in published.events if event.name in EVENT_TYPES]

    await receiver.wait_for(lambda: len(receiver.received) >= len(expected))

    verifier = Webhook(endpoint["secret"])
    payloads = [verifier.verify(body, headers) for headers, body in receiver.received]
    ids = [headers["webhook-id"] for headers, _ in receiver.received]
    assert len(set(ids)) == len(ids) == len(expected)  # each event once
    assert sorted((p["type"], json.dumps(p["data"], sort_keys=True)) for p in payloads) == sorted(
        (event.name, json.dumps(event.payload, sort_keys=True)) for event in expected
    )
    for ticket_id in ticket_ids:
        got = [p for p in payloads if p["type"].startswith(("message", "ticket")) and _ticket_of(p) == ticket_id]
        sent = [
            e
            for e in expected
            if e.name.startswith(("message", "ticket")) and _ticket_of({"type": e.name, "data": e.payload}) == ticket_id
        ]
        assert [(p["type"], p["data"]) for p in got] == [(e.name, e.payload) for e in sent]  # in order per ticket


def _ticket_of(payload: dict[str, Any]) -> int:
    data = payload["data"]
    return int(data["ticket_id"] if payload["type"].startswith("message") else data["id"])


async def test_a_receiver_answering_500_three_times_gets_the_retries_and_the_log_shows_each_attempt(
    live_server: LiveServer, admin_http: httpx.AsyncClient, receiver: Receiver
) -> None:
    receiver.statuses = [500, 500, 500]
    endpoint = await register(admin_http, receiver.url, ["contact.updated"])

    await admin_http.post("/api/contacts", json={"phone": "5511977770099", "name": "Rita"})
    await receiver.wait_for(lambda: len(receiver.received) == 4)

    async def logged() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = (
            await admin_http.get(f"/api/webhook-endpoints/{endpoint['id']}/deliveries")
        ).json()
        return found

    async with asyncio.timeout(10):
        while (log := await logged())[0]["status"] != "delivered":
            await asyncio.sleep(0.05)
    (delivery,) = log
    assert [attempt["status_code"] for attempt in delivery["attempts"]] == [500, 500, 500, 200]
    assert [attempt["response_excerpt"] for attempt in delivery["attempts"]] == [
        "answer 500",
        "answer 500",
        "answer 500",
        "answer 200",
    ]
    assert all(attempt["latency_ms"] >= 0 for attempt in delivery["attempts"])
    assert len({headers["webhook-id"] for headers, _ in receiver.received}) == 1  # one event, retried


async def test_reenviar_sends_a_failed_delivery_again(
    live_server: LiveServer, admin_http: httpx.AsyncClient, receiver: Receiver
) -> None:
    live_server.context.settings.webhook_retry_window_seconds = 0.01  # no retry: the first failure is final
    receiver.statuses = [503]
    endpoint = await register(admin_http, receiver.url, ["contact.updated"])
    await admin_http.post("/api/contacts", json={"phone": "5511977770098", "name": "Otto"})
    path = f"/api/webhook-endpoints/{endpoint['id']}/deliveries"

    async with asyncio.timeout(10):
        while not (log := (await admin_http.get(path)).json()) or log[0]["status"] != "failed":
            await asyncio.sleep(0.05)
    resent = await admin_http.post(f"/api/webhook-deliveries/{log[0]['id']}/resend")
    async with asyncio.timeout(10):
        while (log := (await admin_http.get(path)).json())[0]["status"] != "delivered":
            await asyncio.sleep(0.05)

    assert resent.status_code == 200
    assert [attempt["status_code"] for attempt in log[0]["attempts"]] == [503, 200]


async def test_an_address_inside_our_network_is_refused_when_private_targets_are_not_allowed(
    live_server: LiveServer, admin_http: httpx.AsyncClient
) -> None:
    live_server.context.settings.allow_private_targets = False

    metadata = await admin_http.post(
        "/api/webhook-endpoints", json={"url": "http://169.254.169.254/latest/meta-data", "events": ["ticket.created"]}
    )
    loopback = await admin_http.post(
        "/api/webhook-endpoints", json={"url": "http://localhost:9/hook", "events": ["ticket.created"]}
    )

    assert (metadata.status_code, metadata.json()["code"]) == (422, "private_address")
    assert (loopback.status_code, loopback.json()["code"]) == (422, "private_address")


async def test_a_name_that_comes_to_resolve_inside_our_network_is_refused_when_sending(
    live_server: LiveServer, admin_http: httpx.AsyncClient, receiver: Receiver
) -> None:
    # Saved while it pointed outside (here: written directly, as if its DNS answer changed after the check).
    context = live_server.context
    context.settings.allow_private_targets = False
    port = receiver.url.split(":")[-1].split("/")[0]
    async with unit_of_work(context.sessionmaker) as session:
        endpoint = WebhookEndpoint(
            url=f"http://localhost:{port}/hook",
            events=["contact.updated"],
            secret=SecretBox(context.settings).encrypt(new_secret()),
        )
        session.add(endpoint)
    await admin_http.post("/api/contacts", json={"phone": "5511977770097", "name": "Ivo"})
    path = f"/api/webhook-endpoints/{endpoint.id}/deliveries"

    async with asyncio.timeout(10):
        while not (log := (await admin_http.get(path)).json()) or not log[0]["attempts"]:
            await asyncio.sleep(0.05)

    attempt = log[0]["attempts"][0]
    assert attempt["status_code"] is None and "private" in attempt["error"]
    assert receiver.received == []
