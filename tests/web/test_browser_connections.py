"""The spec's "Como Usar" flow in a real browser: Nova Conexão → Criar → Conectar → Ver QR Code → scan → Conectado."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Api, Tab, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_new_connection_is_linked_by_scanning_the_live_qr_code(open_tab: Callable[..., Tab], admin_api: Api) -> None:
    tab = open_tab()
    page = sign_in(tab, path="/connections")
    expect(page.get_by_test_id("simulator-link")).to_have_attribute("href", "/simulator/")

    page.get_by_role("button", name="Nova Conexão").click()
    dialog = page.get_by_test_id("connection-dialog")
    dialog.get_by_test_id("connection-name").fill("Atendimento Vendas")
    expect(dialog.get_by_test_id("connection-provider")).to_have_value("simulator")
    dialog.get_by_role("button", name="Criar").click()
    expect(dialog).to_be_hidden()

    card = page.get_by_test_id("connection-card").filter(has_text="Atendimento Vendas")
    expect(card.get_by_test_id("connection-status")).to_have_text("Desconectado")
    card.get_by_role("button", name="Conectar").click()
    card.get_by_role("button", name="Ver QR Code").click()

    modal = page.get_by_test_id("qr-modal")
    expect(modal.get_by_test_id("qr-steps")).to_contain_text("Aparelhos conectados")
    expect(modal.get_by_test_id("qr-steps")).to_contain_text("Conectar um aparelho")
    image = modal.get_by_test_id("qr-image")
    expect(image).to_be_visible()
    expect(modal.get_by_test_id("qr-countdown")).to_contain_text("O código muda em")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0"), "the QR image does not render"
    first_code = image.get_attribute("data-code")
    screenshot(page, "connections-qr-modal")

    # Codes rotate (every 3 s in this test server): the modal shows each new one without a reload.
    expect(image).not_to_have_attribute("data-code", first_code or "", timeout=15_000)
    current_code = image.get_attribute("data-code")
    assert current_code

    admin_api.call("POST", "/simulator/api/scan", json={"code": current_code, "phone": "5511999990001"})

    expect(modal).to_be_hidden()
    expect(card.get_by_test_id("connection-status")).to_have_text("Conectado")
    expect(card.get_by_test_id("connection-phone")).to_have_text("+5511999990001")
    screenshot(page, "connections-connected")
    assert tab.errors == []


def test_disconnect_asks_first_then_the_connection_offers_to_connect_again(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    admin_api.linked_connection("Suporte Desconectar", "5511999990002")
    tab = open_tab()
    page = sign_in(tab, path="/connections")
    card = page.get_by_test_id("connection-card").filter(has_text="Suporte Desconectar")
    expect(card.get_by_test_id("connection-status")).to_have_text("Conectado")

    card.get_by_role("button", name="Desconectar").click()
    confirm = page.get_by_test_id("confirm-dialog")
    expect(confirm).to_contain_text("escanear o QR Code novamente")
    confirm.get_by_test_id("confirm-button").click()

    expect(card.get_by_role("button", name="Conectar")).to_be_visible()
    expect(card.get_by_test_id("connection-status")).not_to_have_text("Conectado")


def test_a_connection_unlinked_on_the_phone_says_what_happened_and_what_to_do(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    admin_api.linked_connection("Suporte Celular", "5511999990003")
    page = sign_in(open_tab(), path="/connections")
    card = page.get_by_test_id("connection-card").filter(has_text="Suporte Celular")
    expect(card.get_by_test_id("connection-status")).to_have_text("Conectado")
    expect(card.get_by_test_id("connection-hint")).to_have_count(0)

    admin_api.call("POST", "/simulator/api/sessions/5511999990003/logout")

    expect(card.get_by_test_id("connection-status")).to_have_text("Desconectado pelo celular")
    expect(card.get_by_test_id("connection-hint")).to_have_text(
        "O aparelho foi desconectado no celular. Clique em Conectar e leia um novo QR Code."
    )
    expect(card.get_by_test_id("connection-reason")).not_to_be_empty()
    expect(card.get_by_role("button", name="Conectar")).to_be_visible()
    screenshot(page, "connection-logged-out")


def test_a_phone_number_links_with_the_pairing_code_shown_in_the_modal(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    connection = admin_api.call("POST", "/api/connections", json={"name": "Por Número", "provider": "simulator"})
    tab = open_tab()
    page = sign_in(tab, path="/connections")
    card = page.get_by_test_id("connection-card").filter(has_text="Por Número")
    card.get_by_role("button", name="Conectar").click()
    card.get_by_role("button", name="Ver QR Code").click()
    modal = page.get_by_test_id("qr-modal")
    modal.get_by_test_id("qr-tab-phone").click()
    modal.get_by_test_id("pairing-phone").fill("+55 11 99999-0003")
    modal.get_by_test_id("pairing-submit").click()

    code = modal.get_by_test_id("pairing-code")
    expect(code).to_have_text(re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$"))
    admin_api.call("POST", "/simulator/api/pair", json={"pairing_code": code.inner_text(), "phone": "5511999990003"})

    expect(modal).to_be_hidden()
    expect(card.get_by_test_id("connection-status")).to_have_text("Conectado")
    assert admin_api.call("GET", f"/api/connections/{connection['id']}")["phone"] == "5511999990003"


def test_a_connection_is_edited_restarted_and_deleted(open_tab: Callable[..., Tab], admin_api: Api) -> None:
    admin_api.linked_connection("Para Editar", "5511999990004")
    tab = open_tab()
    page = sign_in(tab, path="/connections")
    card = page.get_by_test_id("connection-card").filter(has_text="Para Editar")
    card.get_by_test_id("edit-connection").click()
    dialog = page.get_by_test_id("connection-dialog")
    expect(dialog.get_by_test_id("connection-name")).to_have_value("Para Editar")
    dialog.get_by_test_id("connection-name").fill("Editada")
    dialog.get_by_label("Mensagem de saudação").fill("Olá {{name}}!")
    dialog.get_by_role("button", name="Salvar").click()
    edited = page.get_by_test_id("connection-card").filter(has_text="Editada")
    expect(edited).to_be_visible()
    stored = [c for c in admin_api.call("GET", "/api/connections")["items"] if c["name"] == "Editada"]
    assert stored[0]["greeting_message"] == "Olá {{name}}!"

    edited.get_by_test_id("restart").click()
    expect(edited.get_by_test_id("connection-status")).to_have_text("Conectado", timeout=30_000)

    edited.get_by_test_id("delete-connection").click()
    page.get_by_test_id("confirm-dialog").get_by_test_id("confirm-button").click()
    expect(edited).to_have_count(0)
