"""Losing the real-time connection: a banner says so, and what happened meanwhile shows once it is back."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Api, Tab, sign_in

pytestmark = pytest.mark.browser

BUSINESS = "5511999990301"


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
