"""Automation in a real browser: the menu configured with its preview and chosen by a customer live, business
hours set (and refused in Portuguese when they overlap), a message scheduled from the composer going out, and
a customer's rating on the closed ticket."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import Api, Tab, screenshot, sign_in

pytestmark = pytest.mark.browser


def _edit_connection(page: Page, name: str) -> Any:  # the dialog's locator
    page.get_by_test_id("connection-card").filter(has_text=name).get_by_test_id("edit-connection").click()
    return page.get_by_test_id("connection-dialog")


def test_the_menu_configured_with_its_preview_lets_a_customer_choose_a_queue_live(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    sales = admin_api.call("POST", "/api/queues", json={"name": "Vendas Menu", "order": 1})
    support = admin_api.call("POST", "/api/queues", json={"name": "Suporte Menu", "order": 2})
    business = "5511999990601"
    admin_api.linked_connection("Menu no navegador", business, queue_ids=[sales["id"], support["id"]])
    tab = open_tab()
    page = sign_in(tab, path="/connections")

    dialog = _edit_connection(page, "Menu no navegador")
    dialog.get_by_label("Mensagem de saudação").fill("Olá {{first_name}}! Escolha uma opção:")
    dialog.get_by_test_id("menu-enabled").check()
    preview = dialog.get_by_test_id("menu-preview")
    expect(preview).to_have_text("Olá Maria! Escolha uma opção:\n\n*1* - Vendas Menu\n*2* - Suporte Menu")
    screenshot(page, "automation-menu-preview")
    dialog.get_by_test_id("connection-submit").click()
    expect(dialog).to_be_hidden()

    customer = "5521988880601"
    admin_api.customer_says(customer, business, "Oi", name="Carla Menu")
    admin_api.wait_for(
        "the menu", lambda: any("*2* - Suporte Menu" in item["text"] for item in admin_api.received_by(customer))
    )
    ticket = admin_api.ticket_of(customer)
    page.goto(f"/tickets/{ticket['id']}")
    expect(page.get_by_test_id("chat-queue")).to_have_text("Sem fila")

    menu = page.get_by_test_id("message").filter(has_text="*2* - Suporte Menu")
    expect(menu.get_by_test_id("message-automatic")).to_have_text("automático")

    admin_api.customer_says(customer, business, "2", name="Carla Menu")
    expect(page.get_by_test_id("chat-queue")).to_have_text("Suporte Menu")
    expect(page.locator("[data-testid=history-line][data-kind=queue_chosen]")).to_contain_text(
        "O cliente escolheu a fila Suporte Menu"
    )
    screenshot(page, "automation-queue-chosen")
    assert tab.errors == []


def test_hours_that_overlap_are_refused_in_portuguese_then_saved_when_fixed(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    connection = admin_api.linked_connection("Horários no navegador", "5511999990602")
    page = sign_in(open_tab(), path="/connections")

    dialog = _edit_connection(page, "Horários no navegador")
    dialog.get_by_test_id("hours-enabled").check()
    monday = dialog.get_by_test_id("hours-mon")
    monday.fill("08:00-12:00, 11:00-13:00")
    dialog.get_by_test_id("connection-submit").click()
    expect(dialog.get_by_test_id("field-error")).to_have_text("Os intervalos 08:00-12:00 e 11:00-13:00 se sobrepõem.")
    hours = admin_api.call("GET", f"/api/connections/{connection['id']}")["automation"]["hours"]
    assert hours["enabled"] is False  # nothing stored half

    monday.fill("08:00-12:00, 13:30-18:00")
    dialog.get_by_test_id("connection-submit").click()
    expect(dialog).to_be_hidden()
    hours = admin_api.call("GET", f"/api/connections/{connection['id']}")["automation"]["hours"]
    assert hours["enabled"] is True
    assert hours["days"]["mon"] == [{"start": "08:00", "end": "12:00"}, {"start": "13:30", "end": "18:00"}]


def test_a_message_scheduled_from_the_composer_goes_out_and_the_list_shows_it_sent(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    business = "5511999990603"
    admin_api.linked_connection("Agendar no navegador", business)
    customer = "5521988880603"
    admin_api.customer_says(customer, business, "Me lembre amanhã", name="Davi Agenda")
    ticket = admin_api.ticket_of(customer)
    tab = open_tab()
    page = sign_in(tab, path=f"/tickets/{ticket['id']}")
    page.get_by_test_id("accept-button").click()

    page.get_by_test_id("message-input").fill("Bom dia, Davi! Seu pedido saiu.")
    page.get_by_test_id("schedule-button").click()
    dialog = page.get_by_test_id("form-dialog")
    expect(dialog.get_by_test_id("schedule-body")).to_have_value("Bom dia, Davi! Seu pedido saiu.")
    # Three seconds from now on the wall clock (the browser's zone is this machine's), as a person types it.
    soon = (datetime.now() + timedelta(seconds=3)).strftime("%Y-%m-%dT%H:%M:%S")
    dialog.get_by_test_id("schedule-when").fill(soon)
    dialog.get_by_test_id("form-submit").click()
    expect(dialog).to_be_hidden()

    page.get_by_test_id("nav-scheduled").click()
    row = page.get_by_test_id("scheduled-row").filter(has_text="Davi Agenda")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("scheduled-status")).to_have_text("Enviada")
    texts = [item["text"] for item in admin_api.received_by(customer)]
    assert texts.count("*Administrator:*\nBom dia, Davi! Seu pedido saiu.") == 1  # signed, as its author's
    screenshot(page, "automation-scheduled-sent")
    assert tab.errors == []


def test_a_rating_after_the_close_shows_on_the_closed_ticket(open_tab: Callable[..., Tab], admin_api: Api) -> None:
    business = "5511999990604"
    connection = admin_api.linked_connection("Pesquisa no navegador", business)
    admin_api.call("PATCH", f"/api/connections/{connection['id']}", json={"automation": {"survey": {"enabled": True}}})
    customer = "5521988880604"
    admin_api.customer_says(customer, business, "Preciso de ajuda", name="Elisa Nota")
    ticket = admin_api.ticket_of(customer)
    admin_api.call("PATCH", f"/api/tickets/{ticket['id']}", json={"action": "accept"})
    admin_api.call("PATCH", f"/api/tickets/{ticket['id']}", json={"action": "close"})
    admin_api.wait_for(
        "the survey's question",
        lambda: any("como você avalia" in item["text"] for item in admin_api.received_by(customer)),
    )

    admin_api.customer_says(customer, business, "5", name="Elisa Nota")
    admin_api.wait_for("the rating", lambda: admin_api.call("GET", f"/api/tickets/{ticket['id']}")["rating"] == 5)
    page = sign_in(open_tab(), path=f"/tickets/{ticket['id']}")
    expect(page.get_by_test_id("chat-header")).to_have_attribute("data-ticket-status", "closed")
    expect(page.get_by_test_id("chat-rating")).to_have_text("Avaliação: 5/5")
    expect(page.locator("[data-testid=history-line][data-kind=rated]")).to_contain_text(
        "O cliente avaliou o atendimento: 5"
    )


def test_a_queue_gets_its_menu_number_description_and_sub_options_and_repeated_numbers_are_refused(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    page = sign_in(open_tab(), path="/queues")
    page.get_by_test_id("queues-page").get_by_test_id("new-item").click()
    dialog = page.get_by_test_id("form-dialog")
    dialog.get_by_test_id("queue-name").fill("Cobranças Menu")
    dialog.get_by_test_id("queue-order").fill("7")
    dialog.get_by_test_id("queue-description").fill("boletos e notas")
    for label in ("Segunda via", "Prazo"):
        dialog.get_by_test_id("add-option").click()
        option = dialog.get_by_test_id("queue-option").last
        option.get_by_label("Número").fill("1")
        option.get_by_label("Texto da opção").fill(label)
        option.get_by_label("Resposta").fill(f"{label}: pelo site.")
    dialog.get_by_test_id("form-submit").click()
    expect(dialog.get_by_text("Duas opções têm o número 1 no menu.")).to_be_visible()

    dialog.get_by_test_id("queue-option").last.get_by_label("Número").fill("2")
    dialog.get_by_test_id("form-submit").click()
    expect(dialog).to_be_hidden()
    [saved] = [queue for queue in admin_api.call("GET", "/api/queues")["items"] if queue["name"] == "Cobranças Menu"]
    assert (saved["order"], saved["description"]) == (7, "boletos e notas")
    assert [(option["number"], option["label"], option["answer"]) for option in saved["options"]] == [
        (1, "Segunda via", "Segunda via: pelo site."),
        (2, "Prazo", "Prazo: pelo site."),
    ]


def test_a_quick_answer_chosen_in_the_composer_has_its_variables_filled_for_the_ticket(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    business = "5511999990605"
    admin_api.linked_connection("Respostas no navegador", business)
    text = "{{greeting}}, {{first_name}}! Seu protocolo é {{protocol}}. {{pedido}}"
    admin_api.call("POST", "/api/quick-answers", json={"shortcut": "protocolo", "text": text})
    customer = "5521988880605"
    admin_api.customer_says(customer, business, "Qual meu protocolo?", name="Fabio Souza")
    ticket = admin_api.ticket_of(customer)
    tab = open_tab()
    page = sign_in(tab, path=f"/tickets/{ticket['id']}")
    page.get_by_test_id("accept-button").click()

    composer = page.get_by_test_id("message-input")
    composer.fill("/protoc")
    page.get_by_test_id("quick-answer-option").filter(has_text="/protocolo").click()
    # The unknown {{pedido}} stays visible for the agent to fill in.
    filled = re.compile(
        rf"^(Bom dia|Boa tarde|Boa noite), Fabio! Seu protocolo é {ticket['protocol']}\. \{{\{{pedido\}}\}}$"
    )
    expect(composer).to_have_value(filled)
    assert tab.errors == []
