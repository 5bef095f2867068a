"""The "Painel": charts from the desk's data, "waiting now" live as customers write, the period, both languages."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import Api, Tab, screenshot, sign_in
from tests.web.test_browser_notes import PASSWORD, make_agent

pytestmark = pytest.mark.browser


def waiting_now(page: Page) -> int:
    text = page.get_by_test_id("waiting-now").inner_text()
    assert re.fullmatch(r"\d+", text), text
    return int(text)


def test_dashboard_draws_charts_and_counts_a_new_customer_as_waiting_live(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    admin_api.linked_connection("Loja do painel", "5511999990801")
    admin_api.customer_says("5511977770801", "5511999990801", "Quero um orçamento", name="Beatriz")
    ticket = admin_api.wait_for(
        "Beatriz's ticket",
        lambda: next(
            (t for t in admin_api.call("GET", "/api/tickets")["items"] if t["contact"]["name"] == "Beatriz"), None
        ),
    )
    admin_api.call("PATCH", f"/api/tickets/{ticket['id']}", json={"action": "accept"})
    page = sign_in(open_tab(), path="/dashboard")

    expect(page.get_by_role("heading", name="Painel")).to_be_visible()
    expect(page.get_by_test_id("chart-volume").locator("path.recharts-line-curve")).to_have_count(2)
    expect(page.get_by_test_id("chart-agents").locator(".recharts-bar-rectangle").first).to_be_attached()
    expect(page.get_by_test_id("heatmap").locator("td[data-count]:not([data-count='0'])").first).to_be_visible()
    expect(page.get_by_test_id("report-row").filter(has_text="Beatriz")).to_be_visible()
    page.get_by_test_id("chart-agents").get_by_text("Ver os números em tabela").click()
    expect(page.get_by_test_id("agent-row").first).to_be_visible()
    expect(page.get_by_test_id("waiting-now")).to_have_text(re.compile(r"^\d+$"))
    before = waiting_now(page)
    screenshot(page, "dashboard")
    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    exported = Path(download.value.path()).read_bytes()
    assert exported.startswith("\ufeff".encode()), exported[:20]
    assert "Beatriz" in exported.decode("utf-8-sig")

    admin_api.customer_says("5511977770802", "5511999990801", "Alguém aí?", name="Caio")
    expect(page.get_by_test_id("waiting-now")).to_have_text(str(before + 1))


def tickets_named(admin_api: Api, *names: str) -> dict[str, Any] | None:
    found = {ticket["contact"]["name"]: ticket for ticket in admin_api.call("GET", "/api/tickets")["items"]}
    return found if all(name in found for name in names) else None


def number_in(page: Page, test_id: str) -> int:
    text = page.get_by_test_id(test_id).inner_text()
    assert re.fullmatch(r"\d+", text), text
    return int(text)


def test_agents_now_change_live_and_connections_table_and_report_filters_hold_the_desks_figures(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    business = "5511999990841"
    admin_api.linked_connection("Número do painel 841", business)
    make_agent(admin_api, "Lia Painel", "lia.painel@zapdesk.test", [])
    admin_api.customer_says("5511977770841", business, "Preciso de ajuda com a fatura", name="Heitor Painel")
    admin_api.customer_says("5511977770842", business, "Bom dia", name="Inês Painel")
    mine = admin_api.wait_for("both tickets", lambda: tickets_named(admin_api, "Heitor Painel", "Inês Painel"))
    me = admin_api.call("GET", "/api/auth/me")
    page = sign_in(open_tab(), path="/dashboard")

    # The admin's own tab is at its desk; another agent signing in shows up at once, with nothing open.
    admin_row = page.get_by_test_id("agent-now-row").and_(page.locator(f"[data-name='{me['name']}']"))
    expect(admin_row.get_by_test_id("presence")).to_have_attribute("data-state", "online")
    online = number_in(page, "agents-online")
    sign_in(open_tab(), "lia.painel@zapdesk.test", PASSWORD)
    lia = page.get_by_test_id("agent-now-row").and_(page.locator("[data-name='Lia Painel']"))
    expect(lia.get_by_test_id("agent-open")).to_have_text("0")
    expect(page.get_by_test_id("agents-online")).to_have_text(str(online + 1))

    # Taking a ticket adds it to what the admin holds open, live.
    expect(admin_row.get_by_test_id("agent-open")).to_have_text(re.compile(r"^\d+$"))
    holding = int(admin_row.get_by_test_id("agent-open").inner_text())
    admin_api.call("PATCH", f"/api/tickets/{mine['Heitor Painel']['id']}", json={"action": "accept"})
    expect(admin_row.get_by_test_id("agent-open")).to_have_text(str(holding + 1))

    # Per connection: both customers of this number wrote in the period; neither ticket is closed.
    number_row = page.get_by_test_id("table-connections").locator("[data-name='Número do painel 841']")
    expect(number_row.get_by_test_id("group-created")).to_have_text("2")
    expect(number_row.get_by_test_id("group-closed")).to_have_text("0")

    # The ticket report's filters: this number's tickets, then the one in service, then by a word of its message.
    report = page.get_by_test_id("ticket-report")
    heitor, ines = (report.get_by_test_id("report-row").filter(has_text=name) for name in ("Heitor", "Inês Painel"))
    page.get_by_test_id("report-connection").select_option(label="Número do painel 841")
    expect(report.get_by_test_id("report-row")).to_have_count(2)
    page.get_by_test_id("report-status").select_option("open")
    expect(heitor).to_be_visible()
    expect(report.get_by_test_id("report-row")).to_have_count(1)
    page.get_by_test_id("report-status").select_option("")
    page.get_by_test_id("report-search").fill("fatura")
    expect(report.get_by_test_id("report-row")).to_have_count(1)
    expect(heitor).to_be_visible()
    expect(ines).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    exported = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    assert "Heitor Painel" in exported and "Inês Painel" not in exported, exported


def test_period_picker_changes_the_figures_and_words_a_bad_period_in_portuguese(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    admin_api.linked_connection("Período", "5511999990802")
    admin_api.customer_says("5511977770803", "5511999990802", "Bom dia", name="Diana")
    page = sign_in(open_tab(), path="/dashboard")
    page.get_by_test_id("period-today").click()
    expect(page.get_by_test_id("figure-created")).not_to_have_text("0")

    page.get_by_test_id("period-custom").click()
    page.get_by_test_id("period-start").fill("2020-01-01")
    page.get_by_test_id("period-end").fill("2020-01-31")
    expect(page.get_by_test_id("figure-created")).to_have_text("0")

    page.get_by_test_id("period-start").fill("2020-02-10")
    expect(page.get_by_test_id("period-error")).to_have_text("O período termina antes de começar.")


def test_queue_table_shows_time_in_queue_and_business_hours_toggle_counts_only_open_time(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    queue = admin_api.call("POST", "/api/queues", json={"name": "Fila do expediente", "order": 41})
    connection = admin_api.linked_connection("Expediente", "5511999990851", queue_ids=[queue["id"]])
    # Business hours on, and no opening hours at all: every second of this desk is outside them.
    closed_week = {"hours": {"enabled": True, "days": {}}}
    admin_api.call("PATCH", f"/api/connections/{connection['id']}", json={"automation": closed_week})
    admin_api.customer_says("5511977770851", "5511999990851", "Vocês abrem hoje?", name="Joana Expediente")
    ticket = admin_api.ticket_of("5511977770851")
    opened = datetime.fromisoformat(ticket["created_at"]).timestamp()
    # Some time must pass in the queue for there to be time to count (the server shares this machine's clock).
    admin_api.wait_for("two seconds in the queue", lambda: time.time() - opened >= 2)
    admin_api.call("PATCH", f"/api/tickets/{ticket['id']}", json={"action": "accept"})
    admin_api.call("PATCH", f"/api/tickets/{ticket['id']}", json={"action": "close"})
    page = sign_in(open_tab(), path="/dashboard")

    row = page.get_by_test_id("table-queues").locator("[data-name='Fila do expediente']")
    counted = re.compile(r"^([2-9]|\d{2,}) s$|min")
    expect(row.get_by_test_id("group-in-queue")).to_have_text(counted)
    expect(row.get_by_test_id("group-waiting")).to_have_text(counted)
    toggle = page.get_by_role("button", name="Horário comercial")
    expect(toggle).to_have_attribute("aria-pressed", "false")

    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(row.get_by_test_id("group-in-queue")).to_have_text("0 s")
    expect(row.get_by_test_id("group-waiting")).to_have_text("0 s")
    joana = page.get_by_test_id("report-row").filter(has_text="Joana Expediente")
    expect(joana.get_by_test_id("report-in-queue")).to_have_text("0 s")
    screenshot(page, "dashboard-business-hours")

    toggle.click()
    expect(row.get_by_test_id("group-in-queue")).to_have_text(counted)
    expect(joana.get_by_test_id("report-in-queue")).to_have_text(counted)


def test_dashboard_speaks_english(open_tab: Callable[..., Tab]) -> None:
    page = sign_in(open_tab(locale="en"), path="/dashboard")
    expect(page.get_by_role("button", name="Business hours")).to_be_visible()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_text("Waiting now")).to_be_visible()
    expect(page.get_by_text("Tickets per day")).to_be_visible()
    expect(page.get_by_text("Agents online")).to_be_visible()
    expect(page.get_by_role("heading", name="By connection")).to_be_visible()
