"""Group chats in a real browser: members writing in a WhatsApp group make one ticket, each message under its
author's name."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Api, Tab, screenshot, sign_in

pytestmark = pytest.mark.browser

BUSINESS = "5511999990601"
GROUP = {"id": "120363041234560601", "name": "Condomínio Flores"}


def test_members_writing_in_a_group_make_one_group_ticket_with_each_members_name(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    admin_api.call("PUT", "/api/settings/ignore_group_messages", json={"value": False})  # another test may set it
    admin_api.linked_connection("Grupos", BUSINESS)
    tab = open_tab()
    page = sign_in(tab, path="/tickets?tab=pending")

    admin_api.customer_says("5521955550601", BUSINESS, "o portão quebrou de novo", name="Ana Síndica", group=GROUP)
    admin_api.customer_says("5521955550602", BUSINESS, "aqui também", name="Bruno", group=GROUP, as_lid=True)

    row = page.get_by_test_id("ticket-row").filter(has_text="Condomínio Flores")
    expect(row).to_have_count(1)
    row.click()
    bubbles = page.get_by_test_id("message")
    first = bubbles.filter(has_text="o portão quebrou de novo")
    second = bubbles.filter(has_text="aqui também")
    expect(first.get_by_test_id("message-sender")).to_have_text("Ana Síndica")
    expect(second.get_by_test_id("message-sender")).to_have_text("Bruno")
    screenshot(page, "group-ticket")
    assert tab.errors == []
