"""The admin pages: queues, users (with field errors from the API), quick answers, contacts and settings."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Api, Tab, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_queues_users_and_quick_answers_are_managed_with_errors_next_to_fields(open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    page = sign_in(tab, path="/queues")
    # Each "new" button is looked for inside its own page: the previous page's stays until the route renders.
    page.get_by_test_id("queues-page").get_by_test_id("new-item").click()
    page.get_by_test_id("queue-name").fill("Financeiro")
    page.get_by_test_id("form-submit").click()
    expect(page.get_by_test_id("item-row").filter(has_text="Financeiro")).to_be_visible()

    page.get_by_test_id("nav-users").click()
    page.get_by_test_id("users-page").get_by_test_id("new-item").click()
    dialog = page.get_by_test_id("form-dialog")
    dialog.get_by_test_id("user-name").fill("Diego Agente")
    dialog.get_by_test_id("user-email").fill("not-an-email")
    dialog.get_by_test_id("user-password").fill("diego-password-1")
    dialog.get_by_text("Financeiro").click()
    dialog.get_by_test_id("form-submit").click()
    email_field = dialog.locator(".field").filter(has=page.get_by_test_id("user-email"))
    expect(email_field.get_by_test_id("field-error")).to_have_text("Informe um e-mail válido, como nome@empresa.com.")
    expect(dialog.get_by_test_id("user-email")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "users-field-error")
    dialog.get_by_test_id("user-email").fill("diego@zapdesk.test")
    dialog.get_by_test_id("form-submit").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("item-row").filter(has_text="diego@zapdesk.test")).to_contain_text("Financeiro")

    page.get_by_test_id("nav-quick-answers").click()
    page.get_by_test_id("quick-answers-page").get_by_test_id("new-item").click()
    page.get_by_test_id("quick-answer-shortcut").fill("/pix")
    page.get_by_test_id("quick-answer-text").fill("Nossa chave PIX é 123.")
    page.get_by_test_id("form-submit").click()
    expect(page.get_by_test_id("item-row").filter(has_text="/pix")).to_contain_text("Nossa chave PIX é 123.")


def test_a_contact_is_created_found_and_a_conversation_started_with_it(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    admin_api.linked_connection("Contatos", "5511999990501")
    admin_api.call("POST", "/api/contact-fields", json={"label": "CPF", "key": "cpf"})
    tab = open_tab()
    page = sign_in(tab, path="/contacts")
    page.get_by_test_id("new-item").click()
    dialog = page.get_by_test_id("form-dialog")
    dialog.get_by_test_id("contact-name").fill("Pedro Contato")
    dialog.get_by_test_id("contact-phone").fill("+55 (21) 98765-4321")
    dialog.get_by_test_id("field-cpf").fill("123")  # the fields an administrator defined
    dialog.get_by_test_id("form-submit").click()
    # The dialog stays open (the page behind it inert) until every contact list is fresh: the new row can show
    # before it closes, and typing into the search box then would be lost.
    expect(dialog).to_be_hidden()
    row = page.get_by_test_id("item-row").filter(has_text="Pedro Contato")
    expect(row).to_contain_text("+5521987654321")
    expect(row).to_contain_text("CPF: 123")

    page.get_by_test_id("contact-search").fill("zzz-nobody")
    expect(row).to_have_count(0)
    page.get_by_test_id("contact-search").fill("Pedro")
    expect(row).to_be_visible()

    row.get_by_test_id("start-conversation").click()
    start = page.get_by_test_id("form-dialog")
    start.get_by_test_id("start-connection").select_option(label="Contatos")
    start.get_by_test_id("form-submit").click()
    expect(page.get_by_test_id("chat-contact-name")).to_have_text("Pedro Contato")
    expect(page.get_by_test_id("chat-header")).to_have_attribute("data-ticket-status", "open")
    expect(page.get_by_test_id("composer")).to_be_visible()


def test_settings_are_saved_one_by_one(open_tab: Callable[..., Tab], admin_api: Api) -> None:
    tab = open_tab()
    page = sign_in(tab, path="/settings")
    toggle = page.get_by_test_id("setting-ignore_group_messages").get_by_role("checkbox")
    expect(toggle).not_to_be_checked()
    toggle.check()
    expect(page.get_by_test_id("setting-ignore_group_messages")).to_contain_text("Configurações salvas.")
    stored = {item["key"]: item["value"] for item in admin_api.call("GET", "/api/settings")}
    assert stored["ignore_group_messages"] is True
