"""Search inside one conversation: the match is shown highlighted among the messages around it, however far back,
and reading on downwards from it reaches the newest."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Api, Tab, sign_in

pytestmark = pytest.mark.browser

BUSINESS = "5511999990701"
CUSTOMER = "5521944440700"
OLD_MATCH = 3  # older than the newest pages the chat loads first
NEW_MATCH = 58


def _text(number: int) -> str:
    if number == OLD_MATCH:
        return f"mensagem {number:02d}: quero uma AÇÃO sobre o pedido"
    if number == NEW_MATCH:
        return f"mensagem {number:02d}: e a ação?"
    return f"mensagem {number:02d}"


def test_search_in_a_chat_jumps_to_an_old_match_with_its_neighbours_and_back(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    admin_api.linked_connection("Busca", BUSINESS)
    for number in range(1, 61):
        admin_api.customer_says(CUSTOMER, BUSINESS, _text(number), name="Cliente Busca")
    ticket_id = admin_api.wait_for(
        "all messages stored",
        lambda: next(
            (
                ticket["id"]
                for ticket in admin_api.call("GET", "/api/tickets", params={"search": "Cliente Busca"})["items"]
                if ticket["last_message"] == _text(60)
            ),
            None,
        ),
    )

    page = sign_in(open_tab(), path=f"/tickets/{ticket_id}")
    messages = page.get_by_test_id("message")
    expect(messages.filter(has_text="mensagem 60")).to_be_visible()
    expect(messages.filter(has_text=_text(OLD_MATCH))).to_have_count(0)  # not loaded yet

    page.get_by_test_id("chat-search-button").click()
    page.get_by_test_id("chat-search-input").fill("acao")
    page.get_by_test_id("chat-search-input").press("Enter")
    status = page.get_by_test_id("chat-search-status")
    expect(status).to_have_text("1 de 2")
    highlighted = page.locator("[data-testid=message][data-highlighted=true]")
    expect(highlighted).to_have_count(1)
    expect(highlighted).to_contain_text(_text(NEW_MATCH))
    expect(highlighted).to_be_in_viewport()

    page.get_by_test_id("chat-search-older").click()
    expect(status).to_have_text("2 de 2")
    expect(highlighted).to_contain_text(_text(OLD_MATCH))
    expect(highlighted).to_be_in_viewport()
    for neighbour in (OLD_MATCH - 1, OLD_MATCH + 1):
        expect(messages.filter(has_text=f"mensagem {neighbour:02d}")).to_have_count(1)
    expect(messages.filter(has_text="mensagem 60")).to_have_count(0)  # the page around the match, not the newest

    # Reading on downwards loads the newer messages below, still in the jump's view, up to the newest.
    page.get_by_test_id("history-newer").scroll_into_view_if_needed()
    for number in (22, 23, 60):  # the around page ends at 22: each once, across the pages' seam
        expect(messages.filter(has_text=f"mensagem {number:02d}")).to_have_count(1)
    expect(page.get_by_test_id("history-newer")).to_have_count(0)  # nothing newer left to load
    expect(highlighted).to_contain_text(_text(OLD_MATCH))

    page.get_by_test_id("jump-newest").click()
    expect(messages.filter(has_text="mensagem 60")).to_be_in_viewport()
    expect(highlighted).to_have_count(0)
    expect(page.get_by_test_id("chat-search")).to_have_count(0)
