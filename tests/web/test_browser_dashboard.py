"""The "Painel": charts from the desk's data, "waiting now" live as customers write, the period, both languages."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import Api, Tab, screenshot, sign_in

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


def test_dashboard_speaks_english(open_tab: Callable[..., Tab]) -> None:
    page = sign_in(open_tab(locale="en"), path="/dashboard")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_text("Waiting now")).to_be_visible()
    expect(page.get_by_text("Tickets per day")).to_be_visible()
