"""A ticket's history in the chat: system lines between the messages, live, and its protocol number."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Api, Tab, sign_in

pytestmark = pytest.mark.browser

BUSINESS = "5511999990301"


def test_accepting_and_resolving_show_as_lines_among_the_messages(open_tab: Callable[..., Tab], admin_api: Api) -> None:
    admin_api.linked_connection("Histórico", BUSINESS)
    customer = "5521988880301"
    admin_api.customer_says(customer, BUSINESS, "Quero saber do meu pedido", name="Helena Histórico")
    tab = open_tab()
    page = sign_in(tab, path="/tickets?tab=pending")
    page.get_by_test_id("ticket-row").filter(has_text="Helena Histórico").click()

    expect(page.get_by_test_id("chat-protocol")).to_have_text(re.compile(r"^Protocolo \d{4}-\d{6}$"))
    lines = page.get_by_test_id("history-line")
    expect(lines).to_have_count(1)
    expect(lines.first).to_contain_text("Atendimento aberto pelo cliente")
    # The opening line comes before the message that opened the ticket.
    messages = page.get_by_test_id("message-list").locator("[data-testid=history-line], [data-testid=message]")
    expect(messages.first).to_have_attribute("data-kind", "created")

    page.get_by_test_id("accept-button").click()
    expect(lines).to_have_count(2)
    expect(lines.nth(1)).to_contain_text("aceitou o atendimento")
    page.get_by_test_id("resolve-button").click()
    expect(lines).to_have_count(3)
    expect(lines.nth(2)).to_contain_text("resolveu o atendimento")
    assert tab.errors == []
