"""The agent's day in a real browser: a customer writes, the ticket appears live, is accepted, answered and resolved."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import Api, Tab, screenshot, sign_in, tiny_png

pytestmark = pytest.mark.browser

BUSINESS = "5511999990101"
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def business(admin_api: Api) -> str:
    admin_api.linked_connection("Inbox", BUSINESS)
    admin_api.call("POST", "/api/quick-answers", json={"shortcut": "horario", "text": "Atendemos das 8h às 18h."})
    return BUSINESS


def ticket_row(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.get_by_test_id("ticket-row").filter(has_text=name)


def test_a_customer_ticket_goes_from_waiting_to_resolved_with_live_updates(
    open_tab: Callable[..., Tab], admin_api: Api, business: str
) -> None:
    customer = "5521988880101"
    tab = open_tab()
    page = sign_in(tab, path="/tickets?tab=pending")
    expect(page.get_by_test_id("ticket-list")).to_be_visible()
    waiting_before = page.get_by_test_id("ticket-row").count()

    # A customer message makes the ticket appear in Aguardando, live.
    admin_api.customer_says(customer, business, f"Olá! {XSS} veja https://example.com/pedido", name="Ana Cliente")
    row = ticket_row(page, "Ana Cliente")
    expect(row).to_be_visible()
    expect(row).to_have_count(1)
    expect(page.get_by_test_id("pending-count")).to_have_text(str(waiting_before + 1))
    expect(page).to_have_title(re.compile(r"^\(\d+\) zapdesk$"))

    # Search (by name, number or message text) and the connection filter narrow the list on the server.
    search = page.get_by_test_id("ticket-search")
    for term, shown in (("Ana Cli", 1), ("5521988880101", 1), ("pedido", 1), ("nobody-matches-this", 0)):
        search.fill(term)
        expect(row).to_have_count(shown)
    search.fill("")
    page.get_by_test_id("filter-connection").select_option(label="Inbox")
    expect(row).to_have_count(1)
    page.get_by_test_id("filter-connection").select_option(value="")

    # Its text shows as text: no element made from it, nothing ran, the link is clickable.
    row.click()
    inbound = page.get_by_test_id("message").filter(has_text="Olá!")
    expect(inbound.get_by_test_id("message-text")).to_contain_text(XSS)
    assert inbound.locator("img").count() == 0
    expect(inbound.get_by_role("link", name="https://example.com/pedido")).to_have_attribute(
        "href", "https://example.com/pedido"
    )

    # Aceitar moves it to Atendendo.
    page.get_by_test_id("accept-button").click()
    expect(page.get_by_test_id("tab-open")).to_have_attribute("aria-selected", "true")
    expect(ticket_row(page, "Ana Cliente")).to_have_attribute("data-status", "open")
    badge = page.get_by_test_id("pending-count")
    if waiting_before:
        expect(badge).to_have_text(str(waiting_before))
    else:
        expect(badge).to_have_count(0)

    # A quick answer comes in with "/", then Enter sends it.
    composer = page.get_by_test_id("message-input")
    composer.fill("/hor")
    page.get_by_test_id("quick-answer-option").filter(has_text="/horario").click()
    expect(composer).to_have_value("Atendemos das 8h às 18h.")
    composer.press("Enter")
    expect(composer).to_have_value("")

    # The bubble is there at once, then reaches the customer, then is read when the customer reads it.
    reply = page.get_by_test_id("message").filter(has_text="Atendemos das 8h às 18h.")
    expect(reply).to_have_count(1)
    expect(reply).to_have_attribute("data-status", "delivered")
    received = admin_api.wait_for("the reply on the customer's phone", lambda: admin_api.received_by(customer))
    admin_api.call("POST", f"/simulator/api/phones/{customer}/read", json={"ids": [m["id"] for m in received]})
    expect(reply).to_have_attribute("data-status", "read")
    expect(reply.get_by_test_id("message-ticks")).to_have_attribute("data-status", "read")

    # Shift+Enter breaks the line instead of sending.
    composer.type("linha 1")
    composer.press("Shift+Enter")
    composer.type("linha 2")
    expect(composer).to_have_value("linha 1\nlinha 2")
    composer.press("Enter")
    expect(page.get_by_test_id("message").filter(has_text="linha 2")).to_have_count(1)

    # An image from the customer shows at once as downloading, then inline once its file is here.
    admin_api.customer_says(
        customer,
        business,
        "segue a foto",
        kind="image",
        media={"mime": "image/png", "file_name": "foto.png", "data_base64": base64.b64encode(tiny_png()).decode()},
    )
    photo = page.get_by_test_id("message").filter(has_text="segue a foto")
    expect(photo.get_by_test_id("media-downloading")).to_have_text("Baixando o arquivo…")
    image = photo.get_by_test_id("message-image")
    expect(image).to_be_visible()
    expect(photo.get_by_test_id("media-downloading")).to_have_count(0)
    assert image.evaluate("img => img.complete && img.naturalWidth === 48")
    # Seen as it arrived in the open chat: no unread badge left on its row.
    expect(ticket_row(page, "Ana Cliente").get_by_test_id("unread-badge")).to_have_count(0)
    screenshot(page, "inbox-chat")
    image.click()
    viewer = page.get_by_test_id("image-viewer")
    expect(viewer.get_by_role("img")).to_be_visible()
    page.keyboard.press("Escape")
    expect(viewer).to_have_count(0)

    # Resolver moves it to Resolvidos.
    page.get_by_test_id("resolve-button").click()
    expect(page.get_by_test_id("tab-closed")).to_have_attribute("aria-selected", "true")
    expect(ticket_row(page, "Ana Cliente")).to_have_attribute("data-status", "closed")
    expect(page.get_by_test_id("reopen-button")).to_be_visible()
    page.get_by_test_id("tab-open").click()
    expect(ticket_row(page, "Ana Cliente")).to_have_count(0)

    assert tab.dialogs == [], "a message body ran script"
    assert tab.errors == []


def test_on_a_phone_the_chat_takes_the_whole_width_with_a_way_back(
    open_tab: Callable[..., Tab], admin_api: Api, business: str
) -> None:
    admin_api.customer_says("5521988880102", business, "Oi pelo celular", name="Bruno Celular")
    tab = open_tab(width=390, height=844)
    page = sign_in(tab, path="/tickets?tab=pending")
    row = ticket_row(page, "Bruno Celular")
    row.click()
    chat = page.get_by_test_id("chat-pane")
    expect(chat).to_be_visible()
    expect(page.get_by_test_id("ticket-list")).to_be_hidden()
    assert chat.bounding_box()["width"] >= 380  # type: ignore[index]
    screenshot(page, "inbox-phone-chat")
    page.get_by_test_id("back-button").click()
    expect(page.get_by_test_id("ticket-list")).to_be_visible()


def test_a_long_preview_is_cut_short_and_leaves_the_lists_tabs_where_they_were(
    open_tab: Callable[..., Tab], admin_api: Api, business: str
) -> None:
    long_text = "Bom dia, queria saber do meu pedido 7781 que ficou de chegar ontem e até agora nada apareceu aqui " * 2
    admin_api.customer_says("5521988880199", business, long_text, name="Rui Prolixo")
    page = sign_in(open_tab(), path="/tickets?tab=pending")
    expect(ticket_row(page, "Rui Prolixo")).to_be_visible()

    # The list keeps its column (at most 24rem): the preview ends in "…" instead of widening it under the chat.
    list_width = page.get_by_test_id("ticket-list").evaluate("element => element.closest('.inbox-list').offsetWidth")
    assert list_width <= 24 * 16, list_width
    page.get_by_test_id("tab-all").click()
    expect(page.get_by_test_id("tab-all")).to_have_attribute("aria-selected", "true")


def test_a_message_in_the_open_chat_is_read_also_when_an_automatic_reply_follows_it(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    business, customer = "5511999990104", "5521988880104"
    connection = admin_api.linked_connection("Fora do Expediente", business)
    admin_api.customer_says(customer, business, "Bom dia", name="Caio Noturno")
    ticket = admin_api.ticket_of(customer)
    # Closed all week from now on: a message on a waiting ticket gets the out-of-hours reply right after it.
    closed = {"hours": {"enabled": True, "days": {}, "message": "Estamos fechados agora."}}
    admin_api.call("PATCH", f"/api/connections/{connection['id']}", json={"automation": closed})
    page = sign_in(open_tab(), path="/tickets?tab=pending")
    row = ticket_row(page, "Caio Noturno")
    row.click()
    expect(page.get_by_test_id("message").filter(has_text="Bom dia")).to_be_visible()
    expect(row.get_by_test_id("unread-badge")).to_have_count(0)

    admin_api.customer_says(customer, business, "Alguém aí?")
    automatic = page.get_by_test_id("message").filter(has_text="Estamos fechados agora.")
    expect(automatic.get_by_test_id("message-automatic")).to_be_visible()
    # The newest message is the business's own, yet the customer's, just before it, was seen in this open chat.
    expect(row.get_by_test_id("unread-badge")).to_have_count(0)
    admin_api.wait_for(
        "the ticket read on the server",
        lambda: admin_api.call("GET", f"/api/tickets/{ticket['id']}")["unread_count"] == 0,
    )
