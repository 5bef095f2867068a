"""An administrator finds a message zapdesk could not store under "Mensagens não processadas" and stores it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.web.conftest import SERVER_DATA, Api, Tab, screenshot, sign_in
from zapdesk.engine import codec
from zapdesk.engine.events import Chat, MessageReceived, Sender, TextContent

pytestmark = pytest.mark.browser


def _dead_letter(connection_id: int, external_id: str, text: str) -> None:
    """What the worker keeps when ingest raised on an event (the row `dead_letters.service.record` writes)."""
    event = MessageReceived(
        external_id=external_id,
        chat=Chat("5511977770901", name="Rita"),
        sender=Sender("5511977770901", push_name="Rita"),
        from_me=False,
        timestamp=datetime.now(UTC),
        content=TextContent(text),
    )
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(SERVER_DATA["dir"] / "zapdesk.db") as db:
        db.execute(
            "INSERT INTO dead_letters (connection_id, kind, external_id, event, error, attempts, created_at,"
            " updated_at) VALUES (?, 'MessageReceived', ?, ?, 'KeyError: a bug since fixed', 1, ?, ?)",
            (connection_id, external_id, json.dumps(codec.encode(event)), now, now),
        )


def test_an_unprocessed_message_is_retried_into_its_ticket_or_discarded(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    connection = admin_api.linked_connection("Recuperação", "5511999990901")
    _dead_letter(connection["id"], "DLQ-RETRY", "Meu pedido não chegou")
    _dead_letter(connection["id"], "DLQ-DISCARD", "mensagem estranha")
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
