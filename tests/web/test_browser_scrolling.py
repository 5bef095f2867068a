"""Long lists load as they are scrolled: older chat history upwards, more tickets downwards."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Api, Tab, sign_in

pytestmark = pytest.mark.browser

BUSINESS = "5511999990601"


def test_chat_history_and_ticket_list_load_more_when_scrolled(open_tab: Callable[..., Tab], admin_api: Api) -> None:
    admin_api.linked_connection("Rolagem", BUSINESS)
    talker = "5521944440600"
    for number in range(1, 56):
        admin_api.customer_says(talker, BUSINESS, f"mensagem número {number:02d}", name="Tagarela")
    for index in range(1, 36):
        admin_api.customer_says(f"55219444406{index:02d}", BUSINESS, "oi", name=f"Cliente Rolagem {index:02d}")

    tab = open_tab()
    page = sign_in(tab, path="/tickets?tab=pending")
    rows = page.get_by_test_id("ticket-row")
    admin_api.wait_for(
        "every ticket on the server",
        lambda: len(admin_api.call("GET", "/api/tickets", params={"status": "pending", "limit": 100})["items"]) >= 36,
    )
    page.reload()
    expect(rows.first).to_be_visible()
    first_page = rows.count()
    assert first_page == 30
    rows.last.scroll_into_view_if_needed()
    expect(rows).not_to_have_count(first_page)
    assert rows.count() >= 36

    page.get_by_test_id("ticket-search").fill("Tagarela")
    rows.filter(has_text="Tagarela").click()
    messages = page.get_by_test_id("message")
    expect(messages.filter(has_text="mensagem número 55")).to_be_visible()
    expect(messages.filter(has_text="mensagem número 01")).to_have_count(0)
    page.get_by_test_id("message-list").evaluate("list => { list.scrollTop = 0; }")
    expect(messages.filter(has_text="mensagem número 01")).to_have_count(1)
    expect(page.get_by_text("Início da conversa")).to_be_visible()
    # Every message once, oldest first, across the pages that were stitched together.
    texts = page.get_by_test_id("message-text").all_inner_texts()
    assert [int(text.removeprefix("mensagem número ")) for text in texts] == list(range(1, 56))
