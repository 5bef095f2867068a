"""Internal notes in the browser: written with the switch, seen by the team, never on the customer's phone, and
"@Bia" lights Bia's bell (and only hers)."""

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
