"""Every label in Portuguese or English: picked from the browser, switchable, remembered."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Api, Tab, sign_in

pytestmark = pytest.mark.browser


def test_switching_to_english_changes_the_labels_and_is_remembered(open_tab: Callable[..., Tab]) -> None:
    tab = open_tab(locale="pt-BR")
    page = sign_in(tab, path="/tickets")
    expect(page.get_by_test_id("tab-open")).to_have_text("Atendendo")
    expect(page.get_by_test_id("nav-connections")).to_contain_text("WhatsApp")

    page.get_by_test_id("language-select").select_option("en")
    expect(page.get_by_test_id("tab-open")).to_have_text("Mine")
    expect(page.get_by_test_id("tab-pending")).to_contain_text("Waiting")
    expect(page.get_by_test_id("tab-closed")).to_have_text("Resolved")
    expect(page.get_by_test_id("nav-contacts")).to_contain_text("Contacts")
    assert page.evaluate("document.documentElement.lang") == "en"

    page.get_by_test_id("nav-connections").click()
    expect(page.get_by_role("button", name="New Connection")).to_be_visible()

    page.reload()
    expect(page.get_by_role("button", name="New Connection")).to_be_visible()


def test_an_english_browser_gets_english_from_the_start(open_tab: Callable[..., Tab]) -> None:
    page = open_tab(locale="en-US").page
    page.goto("/")
    expect(page.get_by_test_id("login-submit")).to_have_text("Sign in")
    expect(page.get_by_text("Sign in to zapdesk")).to_be_visible()


@pytest.fixture(scope="module")
def taken_queue_name(admin_api: Api) -> str:
    admin_api.call("POST", "/api/queues", json={"name": "Cobrança"})
    return "Cobrança"


@pytest.mark.parametrize(
    ("locale", "said"),
    [("pt-BR", "Já existe uma fila com este nome."), ("en-US", "A queue named Cobrança already exists.")],
)
def test_an_error_from_the_api_is_worded_in_portuguese_and_given_as_the_api_said_it_in_english(
    open_tab: Callable[..., Tab], taken_queue_name: str, locale: str, said: str
) -> None:
    page = sign_in(open_tab(locale=locale), path="/queues")
    page.get_by_test_id("queues-page").get_by_test_id("new-item").click()
    dialog = page.get_by_test_id("form-dialog")
    dialog.get_by_test_id("queue-name").fill(taken_queue_name)
    dialog.get_by_test_id("form-submit").click()

    expect(dialog.get_by_test_id("form-error")).to_have_text(said)
