"""Read receipts, typing, the profile page and presence, in the browser: opening a ticket turns the customer's
message read on the simulated phone, typing shows there as "typing", a user edits their own profile (a wrong
current password is refused in Portuguese), and the transfer dialog tells who is online, away or offline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import Api, Tab, sign_in
from tests.web.test_browser_notes import PASSWORD, make_agent

pytestmark = pytest.mark.browser

BUSINESS = "5511999990911"
CUSTOMER = "5521977770911"


def phone_state(admin_api: Api, message_id: str) -> str | None:
    """The state the customer's phone shows for a message it wrote (sent, delivered, read)."""
    items = admin_api.call("GET", f"/simulator/api/phones/{CUSTOMER}/messages?include_sent=true")["items"]
    return next((str(item["state"]) for item in items if item["id"] == message_id), None)


def typing_on_phone(admin_api: Api) -> list[str]:
    return list(admin_api.call("GET", f"/simulator/api/phones/{CUSTOMER}/messages")["typing"])


def test_opening_a_ticket_turns_the_customers_message_read_and_typing_shows_on_the_phone(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    admin_api.linked_connection("Leitura", BUSINESS)
    question = admin_api.customer_says(CUSTOMER, BUSINESS, "Meu pedido já saiu?", name="Rita Leitura")
    admin_api.wait_for("the message delivered", lambda: phone_state(admin_api, question) in ("delivered", "sent"))
    assert phone_state(admin_api, question) != "read"

    page = sign_in(open_tab(), path="/tickets?tab=pending")
    row = page.get_by_test_id("ticket-row").filter(has_text="Rita Leitura")
    row.click()

    admin_api.wait_for("the phone to show the message read", lambda: phone_state(admin_api, question) == "read")
    page.get_by_test_id("accept-button").click()
    page.get_by_test_id("message-input").press_sequentially("Vou verificar")
    admin_api.wait_for("the phone to show typing", lambda: typing_on_phone(admin_api) == [BUSINESS])
    page.get_by_test_id("message-input").fill("")
    admin_api.wait_for("the typing to stop", lambda: typing_on_phone(admin_api) == [])


def test_a_user_edits_their_profile_and_a_wrong_current_password_is_refused_in_portuguese(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    make_agent(admin_api, "Caio Perfil", "caio.perfil@zapdesk.test", [])
    page = sign_in(open_tab(), "caio.perfil@zapdesk.test", PASSWORD)
    page.get_by_test_id("nav-profile").click()

    page.get_by_test_id("profile-name").fill("Caio Prado")
    page.get_by_test_id("profile-notify-sound").uncheck()
    page.get_by_test_id("profile-save").click()
    expect(page.get_by_test_id("profile-saved")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_text("Caio Prado")

    page.get_by_test_id("current-password").fill("nao-e-a-minha")
    page.get_by_test_id("new-password").fill("uma-senha-nova-1")
    page.get_by_test_id("password-save").click()
    expect(page.get_by_test_id("password-form")).to_contain_text("A senha atual está incorreta.")

    page.get_by_test_id("current-password").fill(PASSWORD)
    page.get_by_test_id("password-save").click()
    expect(page.get_by_test_id("password-changed")).to_be_visible()
    # The tab goes on with its fresh tokens: after a reload it is still signed in, as the new name.
    page.reload()
    expect(page.get_by_test_id("current-user")).to_have_text("Caio Prado")
    expect(page.get_by_test_id("profile-notify-sound")).not_to_be_checked()
    Api(admin_api.url).login("caio.perfil@zapdesk.test", "uma-senha-nova-1")


def presence_of(page: Page, name: str) -> Any:
    return page.get_by_test_id("transfer-user").locator("option").filter(has_text=name)


def test_the_transfer_dialog_shows_who_is_online_away_or_offline(open_tab: Callable[..., Tab], admin_api: Api) -> None:
    queue = admin_api.call("POST", "/api/queues", json={"name": "Presença", "color": "#22c55e"})
    make_agent(admin_api, "Bia Presente", "bia.presente@zapdesk.test", [queue["id"]])
    make_agent(admin_api, "Davi Ausente", "davi.ausente@zapdesk.test", [queue["id"]])
    admin_api.linked_connection("Presença", "5511999990702", queue_ids=[queue["id"]])
    admin_api.customer_says("5521977770702", "5511999990702", "Olá", name="Lia Presença")
    sign_in(open_tab(), "bia.presente@zapdesk.test", PASSWORD)
    davi_tab = open_tab()
    davi = sign_in(davi_tab, "davi.ausente@zapdesk.test", PASSWORD)

    admin = sign_in(open_tab(), path="/tickets?tab=pending")
    admin.get_by_test_id("ticket-row").filter(has_text="Lia Presença").click()
    admin.get_by_test_id("accept-button").click()
    admin.get_by_test_id("transfer-button").click()
    expect(presence_of(admin, "Bia Presente")).to_have_attribute("data-presence", "online")
    expect(presence_of(admin, "Bia Presente")).to_contain_text("Online")

    # Davi's tab goes to the background: away, live in the open dialog.
    davi.evaluate(
        """() => {
            Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
            document.dispatchEvent(new Event("visibilitychange"));
        }"""
    )
    expect(presence_of(admin, "Davi Ausente")).to_have_attribute("data-presence", "away")
    expect(presence_of(admin, "Davi Ausente")).to_contain_text("Ausente")

    davi_tab.page.close()
    expect(presence_of(admin, "Davi Ausente")).to_have_attribute("data-presence", "offline")
    expect(presence_of(admin, "Bia Presente")).to_have_attribute("data-presence", "online")

    # Administrators see the same in the users list.
    admin.get_by_test_id("transfer-dialog").get_by_role("button", name="Cancelar").click()
    admin.get_by_test_id("nav-users").click()
    bia_row = admin.get_by_role("row").filter(has_text="Bia Presente")
    expect(bia_row.get_by_test_id("presence")).to_have_attribute("data-state", "online")
