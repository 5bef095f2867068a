"""The contact panel beside the chat: the customer's picture (fetched through the engine), number and WhatsApp
name, typed custom fields (a wrong value is refused in Portuguese), notes, and earlier tickets that open."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Api, Tab, sign_in, tiny_png

pytestmark = pytest.mark.browser

BUSINESS = "5511999990701"
CUSTOMER = "5521977770701"


def test_the_panel_shows_who_the_customer_is_and_keeps_what_the_team_knows(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    for label, kind in (("Pedidos feitos", "number"), ("E-mail de cobrança", "email")):
        admin_api.call("POST", "/api/contact-fields", json={"label": label, "type": kind})
    picture = {"mime": "image/png", "data_base64": base64.b64encode(tiny_png()).decode()}
    admin_api.call("PUT", f"/simulator/api/phones/{CUSTOMER}/picture", json=picture)
    connection = admin_api.linked_connection("Painel", BUSINESS)
    admin_api.customer_says(CUSTOMER, BUSINESS, "Meu pedido anterior atrasou", name="Rita Painel")
    first = admin_api.wait_for(
        "the first ticket",
        lambda: admin_api.call("GET", "/api/tickets", params={"connection_id": connection["id"]})["items"],
    )[0]
    admin_api.call("PATCH", f"/api/tickets/{first['id']}", json={"action": "accept"})
    admin_api.call("PATCH", f"/api/tickets/{first['id']}", json={"action": "close"})
    admin_api.customer_says(CUSTOMER, BUSINESS, "Agora quero trocar um item")

    tab = open_tab()
    page = sign_in(tab, path="/tickets?tab=pending")
    page.get_by_test_id("ticket-row").filter(has_text="Rita Painel").click()
    page.get_by_test_id("contact-panel-button").click()
    panel = page.get_by_test_id("contact-panel")
    expect(panel.get_by_test_id("panel-name")).to_have_text("Rita Painel")
    expect(panel.get_by_test_id("panel-phone")).to_have_text(f"+{CUSTOMER}")
    expect(panel.get_by_test_id("avatar-picture")).to_be_visible(timeout=20_000)  # fetched by the connection's worker

    panel.get_by_test_id("field-pedidos_feitos").fill("3")
    panel.get_by_test_id("field-e_mail_de_cobranca").fill("rita@")
    panel.get_by_test_id("contact-notes").fill("Prefere ser atendida à tarde.")
    panel.get_by_test_id("panel-save").click()
    expect(panel.get_by_test_id("panel-error")).to_contain_text("O valor não combina com o tipo do campo")
    panel.get_by_test_id("field-e_mail_de_cobranca").fill("rita@example.com")
    panel.get_by_test_id("panel-save").click()
    expect(panel.get_by_test_id("panel-save")).to_have_text("Salvo")
    contact = admin_api.call("GET", "/api/contacts", params={"search": "Rita Painel"})["items"][0]
    assert contact["custom_fields"] == {"pedidos_feitos": "3", "e_mail_de_cobranca": "rita@example.com"}
    assert contact["notes"] == "Prefere ser atendida à tarde."

    earlier = panel.get_by_test_id("earlier-ticket")
    expect(earlier).to_have_count(1)
    expect(earlier).to_contain_text(first["protocol"])
    earlier.click()
    expect(page.get_by_test_id("message").filter(has_text="Meu pedido anterior atrasou")).to_be_visible()
    expect(page.get_by_test_id("chat-header")).to_have_attribute("data-ticket-status", "closed")
    assert tab.errors == []
