"""Integrations in Chromium: an admin makes an API token (shown once) that then sends through the send API, and
revokes it; registers a webhook, sees its deliveries with each attempt, and sends one again with "Reenviar"."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from playwright.sync_api import expect

from tests.web.conftest import Api, Tab, screenshot, sign_in

pytestmark = pytest.mark.browser


class _Hook(BaseHTTPRequestHandler):
    received: list[str] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        _Hook.received.append(self.headers["webhook-id"])
        body = b"recebido"
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        return None


@pytest.fixture
def receiver() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()


def test_tokens_and_webhooks_from_the_integrations_page(
    open_tab: Callable[..., Tab], admin_api: Api, server_url: str, receiver: str
) -> None:
    connection = admin_api.call("POST", "/api/connections", json={"name": "Integração", "provider": "simulator"})
    tab = open_tab()
    page = sign_in(tab, path="/integrations")

    page.get_by_test_id("new-token").click()
    page.get_by_test_id("token-name").fill("n8n pedidos")
    page.get_by_test_id("form-submit").click()
    token = page.get_by_test_id("token-value").inner_text()
    assert token.startswith("zdk_")
    page.get_by_test_id("token-made").get_by_role("button", name="Fechar", exact=True).last.click()
    row = page.get_by_test_id("token-row").filter(has_text="n8n pedidos")
    expect(row).to_contain_text("Enviar mensagens")
    expect(row).to_contain_text("Nunca")
    sent = httpx.post(
        f"{server_url}/api/v1/messages",
        json={"connection_id": connection["id"], "number": "+55 11 97777-1234", "body": "Pedido confirmado"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert sent.status_code == 201, sent.text
    row.get_by_test_id("token-revoke").click()
    page.get_by_test_id("confirm-button").click()
    expect(row).to_contain_text("Revogado")
    refused = httpx.post(
        f"{server_url}/api/v1/messages",
        json={"connection_id": connection["id"], "number": "+55 11 97777-1234", "body": "de novo"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert refused.status_code == 401

    page.get_by_test_id("new-webhook").click()
    page.get_by_test_id("webhook-url").fill(receiver)
    page.get_by_test_id("form-submit").click()
    expect(page.get_by_test_id("webhook-secret-value")).to_contain_text("whsec_")
    page.get_by_test_id("webhook-secret").get_by_role("button", name="Fechar", exact=True).last.click()
    admin_api.call("POST", "/api/contacts", json={"phone": "5511977771235", "name": "Dora"})
    page.get_by_test_id("webhook-endpoint").filter(has_text=receiver).get_by_test_id("webhook-log").click()
    log = page.get_by_test_id("delivery-log")
    delivery = log.get_by_test_id("delivery").filter(has_text="contact.updated").first
    expect(delivery).to_contain_text("Entregue")
    expect(delivery.get_by_test_id("attempt")).to_have_count(1)
    expect(delivery.get_by_test_id("attempt")).to_contain_text("200")
    delivery.get_by_test_id("delivery-resend").click()
    expect(delivery.get_by_test_id("attempt")).to_have_count(2)
    screenshot(page, "integrations-delivery-log")
    assert tab.errors == []
