"""An administrator finds a message zapdesk could not store under "Mensagens não processadas" and stores it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.web.conftest import SERVER_DATA, Api, Tab, dead_letter, screenshot, sign_in

pytestmark = pytest.mark.browser

RITA = "5511977770901"


def test_an_unprocessed_message_is_retried_into_its_ticket_or_discarded(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    connection = admin_api.linked_connection("Recuperação", "5511999990901")
    dead_letter(connection["id"], "DLQ-RETRY", "Meu pedido não chegou", phone=RITA, name="Rita")
    dead_letter(connection["id"], "DLQ-DISCARD", "mensagem estranha", phone=RITA, name="Rita")
    page = sign_in(open_tab(), path="/tickets")

    page.get_by_test_id("nav-dead-letters").click()
    rows = page.get_by_test_id("dead-letter-row")
    expect(rows).to_have_count(2)
    first = rows.filter(has_text="Meu pedido não chegou")
    expect(first).to_contain_text("KeyError: a bug since fixed")
    expect(first).to_contain_text("Mensagem")
    screenshot(page, "dead-letters")
    first.get_by_test_id("dead-letter-retry").click()
    expect(rows).to_have_count(1)
    rows.get_by_test_id("dead-letter-discard").click()
    page.get_by_role("button", name="Descartar").last.click()
    expect(page.get_by_test_id("dead-letters-page").locator(".page-empty")).to_be_visible()

    assert admin_api.call("GET", "/api/dead-letters")["items"] == []
    with sqlite3.connect(SERVER_DATA["dir"] / "zapdesk.db") as db:
        stored = db.execute("SELECT external_id, body FROM messages WHERE external_id LIKE 'DLQ-%'").fetchall()
    assert stored == [("DLQ-RETRY", "Meu pedido não chegou")]
