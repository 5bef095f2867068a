"""Internal notes in the browser: written with the switch, seen by the team, never on the customer's phone, and
"@Bia" lights Bia's bell (and only hers). What is typed and not sent, a note or a reply, stays with its chat."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Api, Tab, sign_in

pytestmark = pytest.mark.browser

BUSINESS = "5511999990501"
CUSTOMER = "5521977770501"
PASSWORD = "notes-password-1"


def make_agent(admin_api: Api, name: str, email: str, queue_ids: list[int]) -> dict[str, Any]:
    body = {"name": name, "email": email, "password": PASSWORD, "role": "agent", "queue_ids": queue_ids}
    return dict(admin_api.call("POST", "/api/users", json=body))


def test_a_note_reaches_the_team_and_bias_bell_but_not_the_customer(
    open_tab: Callable[..., Tab], admin_api: Api, server_url: str
) -> None:
    queue = admin_api.call("POST", "/api/queues", json={"name": "Notas", "color": "#a855f7"})
    make_agent(admin_api, "Nina Fila", "nina@zapdesk.test", [queue["id"]])
    make_agent(admin_api, "Bia Souza", "bia@zapdesk.test", [])
    make_agent(admin_api, "Bianca Lima", "bianca@zapdesk.test", [])
    admin_api.linked_connection("Notas", BUSINESS, queue_ids=[queue["id"]])
    admin_api.customer_says(CUSTOMER, BUSINESS, "Posso pagar em 3 vezes?", name="Olga Notas")

    bia_tab = open_tab()
    bia = sign_in(bia_tab, "bia@zapdesk.test", PASSWORD)
    expect(bia.get_by_test_id("notification-count")).to_have_count(0)
    nina_tab = open_tab()
    nina = sign_in(nina_tab, "nina@zapdesk.test", PASSWORD, path="/tickets?tab=pending")
    nina.get_by_test_id("ticket-row").filter(has_text="Olga Notas").click()

    admin_tab = open_tab()
    admin = sign_in(admin_tab, path="/tickets?tab=pending")
    admin.get_by_test_id("ticket-row").filter(has_text="Olga Notas").click()
    composer = admin.get_by_test_id("composer-blocked")
    composer.get_by_test_id("note-toggle").click()  # a pending ticket: notes are allowed before accepting
    expect(admin.get_by_test_id("composer")).to_have_attribute("data-note", "true")
    admin.get_by_test_id("message-input").fill("@Bi")
    admin.get_by_test_id("mention-option").filter(has_text="Bia Souza").click()
    admin.get_by_test_id("message-input").press_sequentially("pode aprovar o parcelamento?")
    admin.get_by_test_id("message-input").press("Enter")

    text = "@Bia Souza pode aprovar o parcelamento?"
    for page in (admin, nina):
        note = page.get_by_test_id("message").filter(has_text=text)
        expect(note).to_have_attribute("data-type", "note")
        expect(note.get_by_test_id("note-label")).to_be_visible()

    # Bia's bell, live; opening the notification goes to the ticket.
    expect(bia.get_by_test_id("notification-count")).to_have_text("1")
    bia.get_by_test_id("notification-bell").click()
    item = bia.get_by_test_id("notification-item")
    expect(item).to_contain_text("Administrator mencionou você")
    expect(item).to_contain_text("parcelamento")
    bianca = Api(server_url).login("bianca@zapdesk.test", PASSWORD)
    assert bianca.call("GET", "/api/notifications")["items"] == []

    # Nothing of it on the customer's phone (an answer sent afterwards does arrive, so the phone is listening).
    admin.get_by_test_id("accept-button").click()
    admin.get_by_test_id("message-input").press("Control+Shift+N")  # back from the note to a reply
    expect(admin.get_by_test_id("composer")).to_have_attribute("data-note", "false")
    admin.get_by_test_id("message-input").fill("Sim, em até 3 vezes.")
    admin.get_by_test_id("message-input").press("Enter")
    received = admin_api.wait_for(
        "the answer on the phone",
        lambda: [m for m in admin_api.received_by(CUSTOMER) if "3 vezes" in m["text"]],
    )
    assert [m["text"] for m in admin_api.received_by(CUSTOMER)] == [received[0]["text"]]
    assert all(tab.errors == [] for tab in (admin_tab, nina_tab, bia_tab))


def test_what_is_typed_and_not_sent_stays_with_its_chat_a_note_as_a_note(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    business, ana, beto = "5511999990502", "5521977770502", "5521977770503"
    admin_api.linked_connection("Rascunhos", business)
    admin_api.customer_says(ana, business, "Cadê meu pedido?", name="Ana Rascunho")
    admin_api.customer_says(beto, business, "Tem desconto?", name="Beto Rascunho")
    tab = open_tab()
    page = sign_in(tab, path="/tickets?tab=pending")
    rows, field, composer = (page.get_by_test_id(id) for id in ("ticket-row", "message-input", "composer"))

    rows.filter(has_text="Ana Rascunho").click()
    page.get_by_test_id("accept-button").click()
    field.fill("Seu pedido saiu hoje")
    page.get_by_test_id("tab-pending").click()
    rows.filter(has_text="Beto Rascunho").click()
    page.get_by_test_id("composer-blocked").get_by_test_id("note-toggle").click()  # pending: a note only
    field.fill("cliente pediu desconto de novo")

    # Ana's reply is waiting in her chat, Beto's note in his, still a note: after switching, and after a reload.
    page.get_by_test_id("tab-open").click()
    rows.filter(has_text="Ana Rascunho").click()
    expect(field).to_have_value("Seu pedido saiu hoje")
    expect(composer).to_have_attribute("data-note", "false")
    page.reload()
    page.get_by_test_id("tab-pending").click()
    rows.filter(has_text="Beto Rascunho").click()
    expect(field).to_have_value("cliente pediu desconto de novo")
    expect(composer).to_have_attribute("data-note", "true")

    # Sent, it is gone from the chat's box; only what was sent reached the customer.
    page.get_by_test_id("tab-open").click()
    rows.filter(has_text="Ana Rascunho").click()
    field.press("Enter")
    expect(page.get_by_test_id("message").filter(has_text="Seu pedido saiu hoje")).to_have_attribute(
        "data-status", "sent"
    )
    page.get_by_test_id("tab-pending").click()
    rows.filter(has_text="Beto Rascunho").click()
    page.get_by_test_id("tab-open").click()
    rows.filter(has_text="Ana Rascunho").click()
    expect(field).to_have_value("")
    admin_api.wait_for("the reply on Ana's phone", lambda: admin_api.received_by(ana))
    assert [m["text"] for m in admin_api.received_by(ana)] == ["*Administrator:*\nSeu pedido saiu hoje"]  # signed
    assert admin_api.received_by(beto) == []
    assert tab.errors == []
