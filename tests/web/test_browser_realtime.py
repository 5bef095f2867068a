"""Losing the real-time connection: a banner says so, and what happened meanwhile shows once it is back (also
when it happened before the first connection)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import WebSocketRoute, expect

from tests.web.conftest import Api, Tab, sign_in

pytestmark = pytest.mark.browser

BUSINESS = "5511999990301"
EARLY_BUSINESS = "5511999990302"


def test_lost_connection_shows_a_banner_and_missed_tickets_appear_after_reconnecting(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    admin_api.linked_connection("Tempo Real", BUSINESS)
    tab = open_tab()
    page = sign_in(tab, path="/tickets?tab=pending")
    expect(page.get_by_test_id("ticket-list")).to_be_visible()
    expect(page.get_by_test_id("realtime-banner")).to_have_count(0)

    page.context.set_offline(True)
    expect(page.get_by_test_id("realtime-banner")).to_have_text("Conexão em tempo real perdida. Reconectando…")

    # Written while this browser hears nothing: only the refetch after reconnecting can show it.
    admin_api.customer_says("5521966660301", BUSINESS, "Alguém aí?", name="Cliente Offline")
    page.wait_for_timeout(500)
    expect(page.get_by_test_id("ticket-row").filter(has_text="Cliente Offline")).to_have_count(0)

    page.context.set_offline(False)
    expect(page.get_by_test_id("realtime-banner")).to_have_count(0)
    expect(page.get_by_test_id("ticket-row").filter(has_text="Cliente Offline")).to_have_count(1)


def test_a_ticket_created_after_the_list_loaded_but_before_the_socket_first_connected_appears(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    admin_api.linked_connection("Antes do Socket", EARLY_BUSINESS)
    tab = open_tab()
    held: list[WebSocketRoute] = []

    def hold(socket: WebSocketRoute) -> None:
        held.append(socket)  # not connected to the server until the test says so

    tab.page.route_web_socket(re.compile(r"/socket\.io/"), hold)
    page = sign_in(tab, path="/tickets?tab=pending", live=False)
    expect(page.get_by_test_id("ticket-list")).to_be_visible()
    while not held:
        page.wait_for_timeout(50)

    customer = "5521966660302"
    admin_api.customer_says(customer, EARLY_BUSINESS, "Cheguei antes", name="Cliente Adiantada")
    admin_api.wait_for(
        "the ticket to be stored",
        lambda: [
            ticket
            for ticket in admin_api.call("GET", "/api/tickets", params={"status": "pending"})["items"]
            if ticket["contact"]["phone"] == customer
        ],
    )
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("ticket-row").filter(has_text="Cliente Adiantada")).to_have_count(0)

    held[0].connect_to_server()
    expect(page.get_by_test_id("ticket-row").filter(has_text="Cliente Adiantada")).to_have_count(1)
