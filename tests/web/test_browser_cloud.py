"""The Cloud API channel in Chromium: an admin adds a `cloud` connection with Meta's credentials and connects it;
an agent, outside the 24-hour window, sees the banner, picks a template, fills its variable, previews it and sends
it; a customer's message reopens the window and the agent reacts to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Api, Tab, screenshot, sign_in

pytestmark = pytest.mark.browser

BUSINESS = "5511999990777"
CUSTOMER = "5521977770777"
TEMPLATE = {
    "name": "retomar_contato",
    "language": "pt_BR",
    "components": [{"type": "BODY", "text": "Olá {{1}}! Podemos continuar seu atendimento?"}],
}


def fake_meta_number(api: Api) -> dict[str, Any]:
    number: dict[str, Any] = api.call(
        "POST", "/simulator/api/cloud/numbers", json={"phone": BUSINESS, "name": "Loja Oficial"}
    )
    api.call("POST", f"/simulator/api/cloud/numbers/{number['phone_number_id']}/templates", json=TEMPLATE)
    return number


def test_cloud_connection_window_banner_template_picker_and_reaction(
    open_tab: Callable[..., Tab], admin_api: Api, server_url: str
) -> None:
    number = fake_meta_number(admin_api)
    tab = open_tab()
    page = sign_in(tab, path="/connections")

    # The admin adds the number with the credentials Meta gave (the secrets are typed, never shown again).
    page.get_by_test_id("new-connection").click()
    page.get_by_test_id("connection-name").fill("Oficial")
    page.get_by_test_id("connection-provider").select_option("cloud")
    page.get_by_test_id("cloud-phone-number-id").fill(number["phone_number_id"])
    page.get_by_test_id("cloud-business-account-id").fill(number["business_account_id"])
    page.get_by_test_id("cloud-access-token").fill(number["access_token"])
    page.get_by_test_id("cloud-app-secret").fill(number["app_secret"])
    page.get_by_test_id("cloud-verify-token").fill(number["verify_token"])
    page.get_by_test_id("connection-submit").click()
    expect(page.get_by_test_id("connection-dialog")).to_have_count(0)
    card = page.get_by_test_id("connection-card").filter(has_text="Oficial")
    webhook = card.get_by_test_id("connection-webhook")
    expect(webhook).to_contain_text("/api/webhooks/cloud/")
    callback = webhook.locator("code").inner_text()
    # At Meta, the admin pastes the callback URL; Meta checks it with the verify token.
    admin_api.call(
        "PUT", f"/simulator/api/cloud/numbers/{number['phone_number_id']}/webhook", json={"url": callback}
    )
    card.get_by_test_id("connect").click()
    expect(card).to_contain_text("Conectado")
    expect(card.get_by_test_id("connection-profile")).to_have_text("Loja Oficial · qualidade GREEN · limite TIER_1K")
    expect(card.get_by_test_id("connection-phone")).to_have_text(f"+{BUSINESS}")
    screenshot(page, "cloud-connection")

    # A customer who never wrote: the agent starts the conversation, and only a template can reach her.
    connection_id = int(callback.rsplit("/", 1)[1])
    contact = admin_api.call("POST", "/api/contacts", json={"phone": CUSTOMER, "name": "Carla Dias"})
    ticket = admin_api.call("POST", "/api/tickets", json={"contact_id": contact["id"], "connection_id": connection_id})
    page.goto(f"/tickets/{ticket['id']}")
    banner = page.get_by_test_id("window-banner")
    expect(banner).to_have_text("Janela de 24 h encerrada — envie um modelo" + "Enviar modelo")
    expect(page.get_by_test_id("message-input")).to_have_count(0)  # the banner takes the composer's place
    banner.get_by_test_id("open-templates").click()
    picker = page.get_by_test_id("template-picker")
    picker.get_by_test_id("template-select").select_option("retomar_contato|pt_BR")
    variable = picker.get_by_test_id("template-variable-body-1")
    expect(variable).to_have_value("{{name}}")
    expect(picker.get_by_test_id("template-preview")).to_contain_text("Olá Carla Dias! Podemos continuar seu atendimento?")
    screenshot(page, "cloud-template-picker")
    picker.get_by_test_id("template-send").click()
    expect(picker).to_have_count(0)
    sent = page.get_by_test_id("message").filter(has_text="Olá Carla Dias! Podemos continuar")
    expect(sent).to_have_attribute("data-status", "delivered")
    requests = admin_api.call("GET", f"/simulator/api/cloud/numbers/{number['phone_number_id']}/requests")
    assert [r["template"]["components"] for r in requests if r.get("type") == "template"] == [
        [{"type": "body", "parameters": [{"type": "text", "text": "Carla Dias"}]}]
    ]

    # Carla answers: the window opens, the banner goes, and the agent reacts to her message.
    admin_api.call(
        "POST",
        "/simulator/api/cloud/messages",
        json={"from": CUSTOMER, "to": number["phone_number_id"], "text": "Sim, pode continuar", "name": "Carla"},
    )
    answer = page.get_by_test_id("message").filter(has_text="Sim, pode continuar")
    expect(answer).to_be_visible()
    expect(banner).to_have_count(0)
    expect(page.get_by_test_id("message-input")).to_be_enabled()
    answer.hover()
    answer.get_by_test_id("react-button").click()
    answer.get_by_test_id("reaction-menu").get_by_text("👍").click()
    expect(answer.get_by_test_id("message-reactions")).to_have_text("👍")
    admin_api.wait_for(
        "the reaction posted to the Graph API",
        lambda: [
            r
            for r in admin_api.call("GET", f"/simulator/api/cloud/numbers/{number['phone_number_id']}/requests")
            if r.get("type") == "reaction" and r["reaction"]["emoji"] == "👍"
        ],
    )
    assert tab.errors == []
