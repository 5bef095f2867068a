"""Message actions from the bubble's menu, in the browser: a reaction, an edit, a delete for everyone and a forward
each reach the simulated customer phone (the reaction, the edited text, the deleted mark, the forwarded copy)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import Api, Tab, sign_in

pytestmark = pytest.mark.browser

BUSINESS = "5511999990601"
CUSTOMER = "5521977770601"
COLLEAGUE = "5521977770602"


def send(page: Page, text: str) -> None:
    page.get_by_test_id("message-input").fill(text)
    page.get_by_test_id("message-input").press("Enter")


def open_menu(page: Page, text: str) -> None:
    bubble = page.get_by_test_id("message").filter(has_text=text)
    bubble.hover()
    bubble.get_by_test_id("message-actions").click()


def test_react_edit_delete_and_forward_reach_the_customers_phone(open_tab: Callable[..., Tab], admin_api: Api) -> None:
    admin_api.linked_connection("Ações", BUSINESS)
    question = admin_api.customer_says(CUSTOMER, BUSINESS, "Vocês entregam no sábado?", name="Paula Ações")
    admin_api.call("POST", "/api/contacts", json={"name": "Loja Centro", "phone": COLLEAGUE})
    tab = open_tab()
    page = sign_in(tab, path="/tickets?tab=pending")
    page.get_by_test_id("ticket-row").filter(has_text="Paula Ações").click()
    page.get_by_test_id("accept-button").click()
    send(page, "Entregamos sim, ate as 14h")
    send(page, "Mensagem enviada por engano")

    def on_phone() -> dict[str, dict[str, object]]:
        return {str(m["text"]): m for m in admin_api.received_by(CUSTOMER)}

    admin_api.wait_for("both answers on the phone", lambda: len(on_phone()) >= 2)
    for text in ("Entregamos sim, ate as 14h", "Mensagem enviada por engano"):
        expect(page.get_by_test_id("message").filter(has_text=text)).to_have_attribute("data-status", "delivered")

    # React to the customer's question.
    question_bubble = page.get_by_test_id("message").filter(has_text="Vocês entregam no sábado?")
    question_bubble.hover()
    question_bubble.get_by_test_id("react-button").click()
    page.get_by_test_id("reaction-menu").get_by_text("👍").click()
    expect(page.get_by_test_id("message").filter(has_text="sábado").get_by_test_id("message-reactions")).to_have_text(
        "👍"
    )
    reactions = admin_api.wait_for(
        "the reaction on the phone",
        lambda: [
            m
            for m in admin_api.call("GET", f"/simulator/api/phones/{CUSTOMER}/messages?include_sent=true")["items"]
            if m["body"].get("type") == "reaction"
        ],
    )
    assert reactions[0]["body"] == {"type": "reaction", "target_id": question, "emoji": "👍"}

    # Correct the typo.
    open_menu(page, "ate as 14h")
    page.get_by_test_id("edit-message").click()
    page.get_by_test_id("edit-body").fill("Entregamos sim, até as 14h")
    page.get_by_test_id("form-submit").click()
    edited = page.get_by_test_id("message").filter(has_text="até as 14h")
    expect(edited.get_by_test_id("message-edited")).to_be_visible()
    admin_api.wait_for("the edit on the phone", lambda: on_phone().get("Entregamos sim, até as 14h"))
    assert on_phone()["Entregamos sim, até as 14h"]["edited"] is True

    # Delete the wrong one for everyone (the page asks first).
    open_menu(page, "Mensagem enviada por engano")
    page.get_by_test_id("delete-message").click()
    page.get_by_test_id("confirm-button").click()
    expect(page.get_by_test_id("message-deleted")).to_be_visible()
    admin_api.wait_for(
        "the deleted mark on the phone",
        lambda: any(m["revoked"] for m in admin_api.received_by(CUSTOMER)),
    )

    # Forward the corrected answer to another contact: their ticket opens with the copy.
    open_menu(page, "até as 14h")
    page.get_by_test_id("forward-message").click()
    page.get_by_test_id("forward-search").fill("Loja Centro")
    page.get_by_test_id("forward-contact").filter(has_text="Loja Centro").click()
    page.get_by_test_id("form-submit").click()
    expect(page.get_by_test_id("chat-pane")).to_contain_text("Loja Centro")
    expect(page.get_by_test_id("message-forwarded")).to_be_visible()
    copies = admin_api.wait_for("the forwarded copy", lambda: admin_api.received_by(COLLEAGUE))
    assert (copies[0]["text"], copies[0]["forwarded"]) == ("Entregamos sim, até as 14h", True)
    assert tab.errors == []
