"""Tags in the browser: an administrator defines them, an agent tags a ticket, another agent's filtered list follows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Api, Tab, sign_in

pytestmark = pytest.mark.browser

BUSINESS = "5511999990401"
AGENT_EMAIL = "teo@zapdesk.test"
AGENT_PASSWORD = "teo-password-12"


def test_a_ticket_tagged_in_one_browser_appears_in_another_agents_filtered_list_live(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    queue = admin_api.call("POST", "/api/queues", json={"name": "Etiquetadas", "color": "#0ea5e9"})
    admin_api.call(
        "POST",
        "/api/users",
        json={
            "name": "Téo",
            "email": AGENT_EMAIL,
            "password": AGENT_PASSWORD,
            "role": "agent",
            "queue_ids": [queue["id"]],
        },
    )
    admin_api.linked_connection("Etiquetas", BUSINESS, queue_ids=[queue["id"]])
    admin_api.customer_says("5521977770401", BUSINESS, "Quero um orçamento grande", name="Gabriela Atacado")

    # The administrator creates the tag on the Etiquetas page.
    admin_tab = open_tab()
    admin = sign_in(admin_tab, path="/tags")
    admin.get_by_test_id("new-item").click()
    admin.get_by_test_id("tag-name").fill("Atacado")
    admin.get_by_role("button", name="Salvar").click()
    expect(admin.get_by_test_id("item-row").filter(has_text="Atacado")).to_be_visible()

    agent_tab = open_tab()
    agent = sign_in(agent_tab, AGENT_EMAIL, AGENT_PASSWORD, path="/tickets?tab=pending")
    agent.get_by_test_id("filter-tag").select_option(label="Atacado")
    row = agent.get_by_test_id("ticket-row").filter(has_text="Gabriela Atacado")
    expect(agent.get_by_test_id("ticket-list")).to_be_visible()
    expect(row).to_have_count(0)

    admin.goto("/tickets?tab=pending")
    admin.get_by_test_id("ticket-row").filter(has_text="Gabriela Atacado").click()
    admin.get_by_test_id("ticket-tags").get_by_test_id("tag-add").select_option(label="Atacado")
    expect(admin.get_by_test_id("ticket-tags").get_by_test_id("tag-chip")).to_contain_text("Atacado")

    # The agent's filtered list shows it without a reload, with the tag on the row.
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("tag-chip")).to_have_text("Atacado")

    # Taken off, it leaves the filtered list again.
    admin.get_by_test_id("ticket-tags").get_by_test_id("tag-remove").click()
    expect(row).to_have_count(0)
    assert admin_tab.errors == [] and agent_tab.errors == []
