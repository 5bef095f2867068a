"""A tab whose socket was down for ten minutes while 500 events happened catches up by position: it gets exactly
the events its agent may see, once, in order, without reloading its lists, and then shows what a fresh load shows.

The ten minutes are the browser's clock moved forward, not a wait: how far behind a tab is counts positions.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Page, Request, WebSocketRoute, expect

from tests.web.conftest import Api, Tab, sign_in

pytestmark = pytest.mark.browser

AGENT_EMAIL = "dora@zapdesk.test"
AGENT_PASSWORD = "dora-password-1"
VISIBLE_BUSINESS, HIDDEN_BUSINESS = "5511999990401", "5511999990402"
CUSTOMERS_PER_SIDE = 8
MESSAGES_WHILE_DOWN = 32  # per customer: 16 customers x 32 messages, each at least one event: > 500


@dataclass
class SocketSwitch:
    """Routes the tab's Socket.IO WebSockets: forwarded to the server while up, closed at once while down."""

    up: bool = True
    current: list[WebSocketRoute] = field(default_factory=list)

    def route(self, socket: WebSocketRoute) -> None:
        if not self.up:
            socket.close()
            return
        socket.connect_to_server()
        self.current.append(socket)

    def take_down(self) -> None:
        self.up = False
        for socket in self.current:
            socket.close()
        self.current.clear()


def customer(side: str, index: int) -> str:
    return f"55219888{4 if side == 'visible' else 5}{index:04d}"


def name_of(side: str, index: int) -> str:
    return f"{'Visível' if side == 'visible' else 'Oculto'} {index}"


def rows(page: Page) -> list[tuple[str, str, str, str]]:
    """The ticket list as a person reads it: contact, preview, unread count, status."""
    found = []
    for row in page.get_by_test_id("ticket-row").all():
        badge = row.get_by_test_id("unread-badge")
        found.append(
            (
                row.get_by_test_id("ticket-contact-name").inner_text(),
                row.get_by_test_id("ticket-preview").inner_text(),
                badge.inner_text() if badge.count() else "0",
                row.get_attribute("data-status") or "",
            )
        )
    return found


def bubbles(page: Page) -> list[str]:
    """The open chat's messages as shown: text, then time and ticks."""
    return [text.strip() for text in page.get_by_test_id("message").all_inner_texts()]


def test_a_tab_back_after_ten_minutes_and_500_events_gets_what_it_may_see_once_in_order_and_matches_a_fresh_load(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    # Two queues: the agent serves "Vendas Replay" only; each has a WhatsApp number of its own.
    sales = admin_api.call("POST", "/api/queues", json={"name": "Vendas Replay", "color": "#16a34a"})
    support = admin_api.call("POST", "/api/queues", json={"name": "Suporte Replay", "color": "#2563eb"})
    admin_api.call(
        "POST",
        "/api/users",
        json={
            "name": "Dora",
            "email": AGENT_EMAIL,
            "password": AGENT_PASSWORD,
            "role": "agent",
            "queue_ids": [sales["id"]],
        },
    )
    admin_api.linked_connection("Loja Replay", VISIBLE_BUSINESS, queue_ids=[sales["id"]])
    admin_api.linked_connection("Suporte Replay", HIDDEN_BUSINESS, queue_ids=[support["id"]])
    businesses = {"visible": VISIBLE_BUSINESS, "hidden": HIDDEN_BUSINESS}
    for side, business in businesses.items():
        for index in range(CUSTOMERS_PER_SIDE):
            admin_api.customer_says(
                customer(side, index), business, f"{name_of(side, index)}: olá", name=name_of(side, index)
            )
    tickets = _wait_for_tickets(admin_api, sales["id"], support["id"])

    # The agent's tab: the queue's pending list, with the first customer's chat open.
    tab = open_tab()
    page = tab.page
    page.clock.install()
    switch = SocketSwitch()
    page.route_web_socket(re.compile(r"/socket\.io/"), switch.route)
    page.route(re.compile(r"/socket\.io/\?.*transport=polling"), lambda route: route.abort())
    first = tickets[("visible", 0)]
    sign_in(tab, AGENT_EMAIL, AGENT_PASSWORD, path=f"/tickets/{first}?tab=pending")
    page.get_by_test_id("filter-queue").select_option(label="Vendas Replay")
    expect(page.get_by_test_id("ticket-row")).to_have_count(CUSTOMERS_PER_SIDE)
    expect(page.get_by_test_id("message")).to_have_count(1)
    shell = page.get_by_test_id("app-shell")
    expect(shell).not_to_have_attribute("data-position", "")

    # The socket goes down for ten minutes while customers on both numbers write, and two tickets change queue.
    switch.take_down()
    expect(shell).to_have_attribute("data-realtime", "lost")
    before = int(shell.get_attribute("data-position") or "")
    page.clock.fast_forward("10:00")
    written: dict[str, list[str]] = {side: [] for side in businesses}
    for round_ in range(MESSAGES_WHILE_DOWN):
        for side, business in businesses.items():
            for index in range(CUSTOMERS_PER_SIDE):
                text = f"{name_of(side, index)}: mensagem {round_ + 1}"
                admin_api.customer_says(customer(side, index), business, text, name=name_of(side, index))
                written[side].append(text)
    _wait_for_messages(admin_api, before, len(written["visible"]) + len(written["hidden"]))
    moved_out, moved_in = tickets[("visible", CUSTOMERS_PER_SIDE - 1)], tickets[("hidden", 0)]
    admin_api.call("PATCH", f"/api/tickets/{moved_out}", json={"queue_id": support["id"]})
    admin_api.call("PATCH", f"/api/tickets/{moved_in}", json={"queue_id": sales["id"]})
    everything = admin_api.call("GET", "/api/events", params={"after": before})
    assert everything["resync"] is False
    assert everything["position"] - before >= 500

    # Back: the tab asks for what came after the last position it applied, and gets it without reloading.
    list_reloads: list[str] = []

    def watch(request: Request) -> None:
        if re.search(r"/api/tickets\?", request.url):
            list_reloads.append(request.url)

    page.on("request", watch)
    with page.expect_response(lambda response: "/api/events?after=" in response.url, timeout=60_000) as answer:
        switch.up = True
    caught_up = answer.value.json()
    assert answer.value.url.endswith(f"/api/events?after={before}")
    expect(shell).to_have_attribute("data-realtime", "online", timeout=30_000)
    expect(shell).to_have_attribute("data-position", re.compile(r"\d+"))
    assert int(shell.get_attribute("data-position") or "0") >= caught_up["position"]

    # Exactly what the agent may see: its queue's tickets, the removal of the one moved out, the one moved in.
    assert caught_up["resync"] is False
    seqs = [event["seq"] for event in caught_up["events"]]
    assert seqs == sorted(set(seqs)) and seqs[0] > before and seqs[-1] <= caught_up["position"]
    visible_ids = {tickets[("visible", index)] for index in range(CUSTOMERS_PER_SIDE)}
    created = [e["payload"]["body"] for e in caught_up["events"] if e["name"] == "message.created"]
    assert sorted(created) == sorted(written["visible"])  # each once; each customer's in the order written:
    for index in range(CUSTOMERS_PER_SIDE):
        mine = f"{name_of('visible', index)}: "
        assert [body for body in created if body.startswith(mine)] == [
            t for t in written["visible"] if t.startswith(mine)
        ]
    about = [(e["name"], e["payload"].get("ticket_id", e["payload"]["id"])) for e in caught_up["events"]]
    assert {ticket for name, ticket in about if name.startswith(("message.", "ticket."))} == visible_ids | {moved_in}
    assert ("ticket.removed", moved_out) in about and ("ticket.updated", moved_in) in about
    # Nothing before it was moved in: then the ticket itself and the history line of its transfer.
    assert [name for name, ticket in about if ticket == moved_in] == ["ticket.updated", "ticket.event"]
    by_position = {event["seq"]: event for event in everything["events"]}
    assert all(by_position[e["seq"]] == e for e in caught_up["events"] if e["name"] != "ticket.removed")
    assert list_reloads == []

    # The screen matches a fresh load of the same page.
    expect(page.get_by_test_id("message")).to_have_count(1 + MESSAGES_WHILE_DOWN)
    texts = [bubble.split("\n")[0] for bubble in bubbles(page)]
    assert texts[1:] == [f"{name_of('visible', 0)}: mensagem {n}" for n in range(1, MESSAGES_WHILE_DOWN + 1)]
    fresh = sign_in(open_tab(), AGENT_EMAIL, AGENT_PASSWORD, path="/tickets?tab=pending")
    fresh.get_by_test_id("filter-queue").select_option(label="Vendas Replay")
    expect(fresh.get_by_test_id("ticket-row")).to_have_count(CUSTOMERS_PER_SIDE)
    _expect_same(page, lambda: rows(page), lambda: rows(fresh), "the ticket list")
    fresh.get_by_test_id("ticket-row").filter(has_text=name_of("visible", 0)).click()
    expect(fresh.get_by_test_id("message")).to_have_count(1 + MESSAGES_WHILE_DOWN)
    _expect_same(page, lambda: bubbles(page), lambda: bubbles(fresh), "the open chat")
    assert tab.errors == []


def _wait_for_tickets(api: Api, *queue_ids: int) -> dict[tuple[str, int], int]:
    """Each customer's ticket id, once all of them exist."""

    def found() -> dict[tuple[str, int], int] | None:
        listed = api.call("GET", "/api/tickets", params={"status": "pending", "limit": 100})["items"]
        by_phone = {ticket["contact"]["phone"]: ticket["id"] for ticket in listed if ticket["queue_id"] in queue_ids}
        wanted = {(side, i): customer(side, i) for side in ("visible", "hidden") for i in range(CUSTOMERS_PER_SIDE)}
        if not all(phone in by_phone for phone in wanted.values()):
            return None
        return {key: by_phone[phone] for key, phone in wanted.items()}

    result: dict[tuple[str, int], int] = api.wait_for("every customer's ticket", found, seconds=60)
    return result


def _wait_for_messages(api: Api, after: int, count: int) -> None:
    def stored() -> bool:
        events = api.call("GET", "/api/events", params={"after": after})["events"]
        return sum(event["name"] == "message.created" for event in events) >= count

    api.wait_for(f"{count} messages stored", stored, seconds=120)


def _expect_same(page: Page, replayed: Callable[[], Any], fresh: Callable[[], Any], what: str) -> None:
    """Both tabs show the same (retrying while live events, such as a chat being read, still arrive)."""
    deadline = time.monotonic() + 15
    left, right = replayed(), fresh()
    while left != right and time.monotonic() < deadline:
        page.wait_for_timeout(200)
        left, right = replayed(), fresh()
    assert left == right, f"{what} differs from a fresh load"
