"""An admin and an agent side by side: each sees only the tickets they may, and both lists follow changes live."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Api, Tab, sign_in

pytestmark = pytest.mark.browser

BUSINESS = "5511999990201"
AGENT_EMAIL = "carla@zapdesk.test"
AGENT_PASSWORD = "carla-password-1"


def test_admin_and_agent_each_see_their_scope_and_follow_changes_live(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    sales = admin_api.call("POST", "/api/queues", json={"name": "Vendas", "color": "#16a34a"})
    admin_api.call("POST", "/api/queues", json={"name": "Suporte", "color": "#2563eb"})
    admin_api.call(
        "POST",
        "/api/users",
        json={
            "name": "Carla Agente",
            "email": AGENT_EMAIL,
            "password": AGENT_PASSWORD,
            "role": "agent",
            "queue_ids": [sales["id"]],
        },
    )
    admin_api.linked_connection("Loja", BUSINESS, queue_ids=[sales["id"]])

    admin = sign_in(open_tab(), path="/tickets?tab=pending")
    agent = sign_in(open_tab(), AGENT_EMAIL, AGENT_PASSWORD, path="/tickets?tab=pending")
    expect(agent.get_by_test_id("tab-all")).to_have_count(0)  # "Todos" is for admins
    expect(admin.get_by_test_id("tab-all")).to_be_visible()

    # A new ticket in Vendas reaches both, live.
    admin_api.customer_says("5521977770201", BUSINESS, "Quero comprar", name="Cliente Um")
    for page in (admin, agent):
        expect(page.get_by_test_id("ticket-row").filter(has_text="Cliente Um")).to_be_visible()

    # The agent accepts it: it leaves the admin's Aguardando too, and shows under the admin's Todos.
    agent.get_by_test_id("ticket-row").filter(has_text="Cliente Um").click()
    agent.get_by_test_id("accept-button").click()
    expect(agent.get_by_test_id("ticket-row").filter(has_text="Cliente Um")).to_have_attribute("data-status", "open")
    expect(admin.get_by_test_id("ticket-row").filter(has_text="Cliente Um")).to_have_count(0)
    admin.get_by_test_id("tab-all").click()
    expect(admin.get_by_test_id("ticket-row").filter(has_text="Cliente Um")).to_have_attribute("data-status", "open")
    expect(admin.get_by_test_id("ticket-row").filter(has_text="Cliente Um")).to_contain_text("Com Carla Agente")
    admin.get_by_test_id("tab-pending").click()

    # Another customer; the admin transfers that ticket to Suporte: it leaves the agent (not in Suporte), live.
    admin_api.customer_says("5521977770202", BUSINESS, "Meu pedido não chegou", name="Cliente Dois")
    agent.get_by_test_id("tab-pending").click()
    agent_row = agent.get_by_test_id("ticket-row").filter(has_text="Cliente Dois")
    expect(agent_row).to_be_visible()
    admin.get_by_test_id("ticket-row").filter(has_text="Cliente Dois").click()
    admin.get_by_test_id("transfer-button").click()
    dialog = admin.get_by_test_id("transfer-dialog")
    dialog.get_by_test_id("transfer-queue").select_option(label="Suporte")
    dialog.get_by_test_id("transfer-submit").click()
    expect(dialog).to_be_hidden()
    expect(admin.get_by_test_id("chat-queue")).to_have_text("Suporte")
    expect(agent_row).to_have_count(0)
    expect(admin.get_by_test_id("ticket-row").filter(has_text="Cliente Dois")).to_be_visible()

    # Even by its address, the agent cannot open it.
    ticket_id = admin.get_by_test_id("ticket-row").filter(has_text="Cliente Dois").get_attribute("data-ticket-id")
    agent.goto(f"/tickets/{ticket_id}")
    expect(agent.get_by_test_id("chat-pane")).to_have_count(0)
    expect(agent.get_by_text("Página não encontrada.")).to_be_visible()
