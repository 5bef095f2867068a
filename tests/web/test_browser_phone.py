"""On a 390 x 844 touch phone every screen fits the width, every control is a finger's size, and an agent answers a
customer from the ticket list to the phone without ever scrolling sideways."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import Api, Tab, dead_letter, screenshot, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
MIN_TARGET = 40  # px, the smallest control a thumb hits reliably
BUSINESS = "5511939390001"
OTHER_BUSINESS = "5511939390002"
NEW_BUSINESS = "5511939390003"
CUSTOMER = "5521939391001"
OTHER_CUSTOMER = "5521939391002"
LAYOUT_CUSTOMER = "5521939391003"
MENTION_CUSTOMER = "5521939391004"
AGENT_PASSWORD = "celia-password-1"

# What may be smaller than a finger, kept tiny: links inside a sentence of a message (WCAG's inline exception).
EXEMPT = ".rich-text a"

# Every control on screen that is narrower or shorter than MIN_TARGET, or reaches past the screen's edges; a checkbox
# or radio counts by the label wrapped around it (that is what a finger hits).
AUDIT = """
([minimum, exempt]) => {
  const width = window.innerWidth;
  const problems = [];
  const controls = 'button, a[href], input:not([type="hidden"]), select, textarea, [role="tab"], summary';
  for (const element of document.querySelectorAll(controls)) {
    if (element.closest(exempt)) continue;
    const target = element.matches('input[type="checkbox"], input[type="radio"]')
      ? element.closest("label") ?? element : element;
    const box = target.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || getComputedStyle(element).visibility === "hidden") continue;
    if (element.closest(".visually-hidden")) continue;
    const name = (element.dataset.testid ?? element.getAttribute("aria-label") ?? element.textContent ?? "")
      .trim().slice(0, 40);
    const what = `${element.tagName.toLowerCase()} "${name}"`;
    if (box.height < minimum - 0.5 || box.width < minimum - 0.5)
      problems.push(`${what} is ${Math.round(box.width)}x${Math.round(box.height)} px`);
    if (box.left < -0.5 || box.right > width + 0.5)
      problems.push(`${what} reaches ${Math.round(box.left)}..${Math.round(box.right)} px of ${width}`);
  }
  return { scrollWidth: document.documentElement.scrollWidth, innerWidth: width, problems };
}
"""


def misfits(page: Page, screen: str) -> list[str]:
    """What keeps `screen` from fitting a phone: sideways scrolling of the page, a control past its edges, a control
    smaller than a thumb. Empty when it fits."""
    found: dict[str, Any] = page.evaluate(AUDIT, [MIN_TARGET, EXEMPT])
    problems = list(found["problems"])
    if found["innerWidth"] != PHONE["width"]:
        problems.append(f"the page zoomed out to {found['innerWidth']} px")
    if found["scrollWidth"] > found["innerWidth"]:
        problems.append(f"the page is {found['scrollWidth']} px wide")
    return [f"{screen}: {problem}" for problem in problems]


def open_phone(open_tab: Callable[..., Tab], locale: str = "pt-BR") -> Tab:
    return open_tab(locale, width=PHONE["width"], height=PHONE["height"], mobile=True)


def go_to(page: Page, nav_id: str) -> None:
    """Through the folded menu, as a thumb would."""
    page.get_by_test_id("menu-button").click()
    menu = page.get_by_test_id("nav-menu")
    expect(menu).to_be_visible()
    page.get_by_test_id(f"nav-{nav_id}").click()
    expect(menu).to_be_hidden()


def ticket_row(page: Page, name: str) -> Any:
    return page.get_by_test_id("ticket-row").filter(has_text=name)


@pytest.fixture(scope="module")
def connections(admin_api: Api) -> dict[str, Any]:
    """Two numbers, so the connection filter has something to tell apart."""
    return {
        "main": admin_api.linked_connection("Celular Loja", BUSINESS),
        "other": admin_api.linked_connection("Celular Filial", OTHER_BUSINESS),
    }


@pytest.fixture(scope="module")
def furnished(admin_api: Api, connections: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """One of everything, so each page shows rows with their buttons, not only its empty state. The webhook (it
    would keep failing to deliver) and the dead letter (other tests count theirs) go away afterwards."""
    queue = admin_api.call("POST", "/api/queues", json={"name": "Fila do Celular", "color": "#0ea5e9"})
    tag = admin_api.call("POST", "/api/tags", json={"name": "Celular", "color": "#f97316"})
    admin_api.call("POST", "/api/contact-fields", json={"label": "Cidade do celular", "key": "cidade_celular"})
    admin_api.call("POST", "/api/quick-answers", json={"shortcut": "celular", "text": "Respondemos pelo celular."})
    admin_api.call(
        "POST",
        "/api/users",
        json={
            "name": "Caio Celular",
            "email": "caio.celular@zapdesk.test",
            "password": "caio-password-1",
            "role": "agent",
            "queue_ids": [queue["id"]],
        },
    )
    admin_api.call("POST", "/api/tokens", json={"name": "Token do celular", "scopes": ["read"]})
    webhook = admin_api.call(
        "POST", "/api/webhook-endpoints", json={"url": "http://127.0.0.1:9/celular", "events": ["ticket.created"]}
    )
    admin_api.customer_says(LAYOUT_CUSTOMER, BUSINESS, "Uma mensagem bem comprida " * 8, name="Larissa Layout")
    ticket = admin_api.ticket_of(LAYOUT_CUSTOMER)
    admin_api.call("PUT", f"/api/tickets/{ticket['id']}/tags/{tag['id']}")
    admin_api.call("PUT", f"/api/contacts/{ticket['contact']['id']}/tags/{tag['id']}")
    admin_api.call(
        "POST",
        "/api/scheduled-messages",
        json={
            "connection_id": connections["main"]["id"],
            "contact_id": ticket["contact"]["id"],
            "body": "Lembrete pelo celular",
            "send_at": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
        },
    )
    dead_letter(connections["main"]["id"], "PHONE-DLQ", "Não processada", phone=LAYOUT_CUSTOMER, name="Larissa Layout")
    yield ticket
    admin_api.call("DELETE", f"/api/webhook-endpoints/{webhook['id']}")
    for item in admin_api.call("GET", "/api/dead-letters")["items"]:
        if item["external_id"] == "PHONE-DLQ":
            admin_api.call("DELETE", f"/api/dead-letters/{item['id']}")


# Each menu entry: what its page shows once its data is in (CSS scoped to the page's own frame: the page before it
# lingers until the route renders, and several pages have an "item-row"), and the buttons that open its dialogs.
# A dialog opener may list what to click inside to show its folded parts (menu options, opening hours).
CONNECTION_PARTS = ("menu-enabled", "hours-enabled", "add-exception", "survey-enabled")
PAGES: list[tuple[str, str, list[str | tuple[str, tuple[str, ...]]]]] = [
    ("dashboard", "[data-testid=report-row]", []),
    ("connections", "[data-testid=connection-card]", ["new-connection", ("edit-connection", CONNECTION_PARTS)]),
    ("contacts", "[data-testid=contacts-page] [data-testid=item-row]", ["new-item", "start-conversation"]),
    ("quick-answers", "[data-testid=quick-answers-page] [data-testid=item-row]", ["new-item"]),
    ("scheduled", "[data-testid=scheduled-row]", ["scheduled-edit"]),
    ("profile", "[data-testid=profile-form]", []),
    ("queues", "[data-testid=queues-page] [data-testid=item-row]", ["new-item", ("edit-item", ("add-option",))]),
    ("tags", "[data-testid=tags-page] [data-testid=item-row]", ["new-item"]),
    ("contact-fields", "[data-testid=contact-fields-page] [data-testid=item-row]", ["new-item"]),
    ("users", "[data-testid=users-page] [data-testid=item-row]", ["new-item"]),
    ("integrations", "[data-testid=token-row]", ["new-token", "new-webhook", "webhook-log"]),
    ("settings", "[data-testid=settings-page] .setting-row", []),
    ("dead-letters", "[data-testid=dead-letter-row]", []),
]


def dialog_misfits(page: Page, opener: str | tuple[str, tuple[str, ...]], screen: str) -> list[str]:
    """Opens the dialog behind `opener` (its first one on the page), unfolds its parts, audits it, and closes it with
    Escape (nothing saved)."""
    opener, parts = (opener, ()) if isinstance(opener, str) else opener
    page.get_by_test_id(opener).first.click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    for part in parts:
        dialog.get_by_test_id(part).click()
    problems = misfits(page, f"{screen} ({opener})")
    screenshot(page, f"phone-{screen}-{opener}")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    return problems


@pytest.mark.parametrize("locale", ["pt-BR", "en"])
def test_every_screen_fits_a_phone_with_finger_sized_controls(
    open_tab: Callable[..., Tab], furnished: dict[str, Any], locale: str
) -> None:
    """In both languages: their words differ in length."""
    tab = open_phone(open_tab, locale)
    page = tab.page
    problems: list[str] = []
    page.goto("/")
    expect(page.get_by_test_id("login-submit")).to_be_visible()
    problems += misfits(page, "login")

    sign_in(tab, path="/tickets?tab=all")
    expect(ticket_row(page, "Larissa Layout")).to_be_visible()
    problems += misfits(page, "ticket list")
    screenshot(page, f"phone-{locale}-ticket-list")

    page.get_by_test_id("menu-button").click()
    expect(page.get_by_test_id("nav-menu")).to_be_visible()
    expect(page.get_by_test_id("menu-close")).to_be_focused()
    problems += misfits(page, "menu")
    screenshot(page, f"phone-{locale}-menu")
    page.get_by_test_id("notification-bell").click()
    expect(page.get_by_test_id("notification-panel")).to_be_visible()
    problems += misfits(page, "notifications")
    page.get_by_test_id("notification-bell").click()
    expect(page.get_by_test_id("notification-panel")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("nav-menu")).to_be_hidden()
    expect(page.get_by_test_id("menu-button")).to_be_focused()
    page.get_by_test_id("menu-button").click()
    page.get_by_test_id("menu-backdrop").click(position={"x": PHONE["width"] - 20, "y": PHONE["height"] // 2})
    expect(page.get_by_test_id("nav-menu")).to_be_hidden()

    ticket_row(page, "Larissa Layout").click()
    expect(page.get_by_test_id("chat-pane")).to_contain_text("Uma mensagem bem comprida")
    expect(page.get_by_test_id("ticket-list")).to_be_hidden()
    problems += misfits(page, "chat")
    screenshot(page, f"phone-{locale}-chat")
    problems += dialog_misfits(page, "transfer-button", f"{locale}-chat")
    page.get_by_test_id("contact-panel-button").click()
    expect(page.get_by_test_id("contact-panel")).to_be_visible()
    problems += misfits(page, "contact panel")
    screenshot(page, f"phone-{locale}-contact-panel")
    page.get_by_test_id("contact-panel-close").click()
    expect(page.get_by_test_id("contact-panel")).to_be_hidden()

    for nav_id, loaded, openers in PAGES:
        go_to(page, nav_id)
        expect(page.locator(loaded).first).to_be_visible()
        # Every part loaded (a connection that is starting keeps its own spinner: not a page still loading).
        expect(page.locator(".spinner:not(.waiting .spinner)")).to_have_count(0)
        problems += misfits(page, nav_id)
        screenshot(page, f"phone-{locale}-{nav_id}")
        for opener in openers:
            problems += dialog_misfits(page, opener, f"{locale}-{nav_id}")
    go_to(page, PAGES[-1][0])  # the page already shown: the menu folds all the same

    assert problems == [], "\n".join(problems)
    assert tab.errors == []


def test_an_agent_answers_from_the_list_on_a_phone_and_the_tabs_and_filters_are_within_reach(
    open_tab: Callable[..., Tab], admin_api: Api, connections: dict[str, Any]
) -> None:
    # A preview longer than the screen is wide: it once pushed the list, its tabs and filters past the edge.
    question_text = "Oi, escrevo do celular para saber do pedido 4521, que ainda não chegou aqui em casa"
    admin_api.customer_says(CUSTOMER, BUSINESS, question_text, name="Paula Celular")
    admin_api.customer_says(OTHER_CUSTOMER, OTHER_BUSINESS, "Sou da filial", name="Otávio Filial")
    tab = open_phone(open_tab)
    page = sign_in(tab, path="/tickets?tab=pending")
    expect(ticket_row(page, "Paula Celular")).to_be_visible()

    # Every tab, "Todos" too, is whole on screen beside that preview, and answers a tap.
    tabs = [page.get_by_test_id(f"tab-{tab_id}") for tab_id in ("open", "pending", "closed", "all")]
    for button in tabs:
        expect(button).to_be_in_viewport(ratio=1)
    for button in tabs:
        button.click()
        expect(button).to_have_attribute("aria-selected", "true")

    # "Todos" with the connection filter: only the chosen number's conversations.
    expect(ticket_row(page, "Paula Celular")).to_be_visible()
    expect(ticket_row(page, "Otávio Filial")).to_be_visible()
    connection_filter = page.get_by_test_id("filter-connection")
    expect(connection_filter).to_be_in_viewport(ratio=1)
    connection_filter.select_option(label="Celular Filial")
    expect(ticket_row(page, "Paula Celular")).to_have_count(0)
    expect(ticket_row(page, "Otávio Filial")).to_be_visible()
    connection_filter.select_option(value="")
    assert misfits(page, "filtered list") == []

    # The waiting customer, opened from the list: the chat replaces the list, accepted and answered.
    page.get_by_test_id("tab-pending").click()
    ticket_row(page, "Paula Celular").click()
    expect(page.get_by_test_id("ticket-list")).to_be_hidden()
    expect(page.get_by_test_id("chat-contact-name")).to_have_text("Paula Celular")
    expect(page.get_by_test_id("chat-pane")).to_contain_text(question_text)
    page.get_by_test_id("accept-button").click()
    expect(page.get_by_test_id("chat-header")).to_have_attribute("data-ticket-status", "open")
    # A reply, with the quote above the composer and the message's menus open one at a time, each within reach.
    question = page.get_by_test_id("message").filter(has_text=question_text)
    problems: list[str] = []
    for toggle, menu in (("react-button", "reaction-menu"), ("message-actions", "message-menu")):
        question.get_by_test_id(toggle).click()
        expect(page.get_by_test_id(menu)).to_be_visible()
        problems += misfits(page, menu)
        question.get_by_test_id(toggle).click()
        expect(page.get_by_test_id(menu)).to_have_count(0)
    page.get_by_test_id("emoji-button").click()
    expect(page.get_by_test_id("emoji-picker")).to_be_visible()
    problems += misfits(page, "emoji picker")
    page.get_by_test_id("emoji-button").click()
    page.get_by_test_id("message-input").fill("/")
    expect(page.get_by_test_id("quick-answer-menu")).to_be_visible()
    problems += misfits(page, "quick answers")
    page.get_by_test_id("message-input").fill("")
    question.get_by_test_id("reply-button").click()
    expect(page.get_by_test_id("composer-reply")).to_contain_text(question_text)
    page.get_by_test_id("message-input").fill("Olá Paula, já vejo seu pedido")
    problems += misfits(page, "reply")
    screenshot(page, "phone-reply")
    page.get_by_test_id("send-button").click()
    admin_api.wait_for(
        "the answer on the customer's phone",
        lambda: any("Olá Paula, já vejo seu pedido" in item["text"] for item in admin_api.received_by(CUSTOMER)),
    )
    expect(page.get_by_test_id("message-quote")).to_be_visible()
    problems += misfits(page, "answered chat")
    screenshot(page, "phone-answered-chat")
    assert problems == [], "\n".join(problems)

    # Back to the list, where the accepted conversation now sits under "Atendendo".
    page.get_by_test_id("back-button").click()
    expect(page.get_by_test_id("ticket-list")).to_be_visible()
    expect(page.get_by_test_id("tab-open")).to_have_attribute("aria-selected", "true")
    expect(ticket_row(page, "Paula Celular")).to_be_visible()
    assert tab.errors == []


def test_a_mention_shows_on_the_folded_menu_of_a_phone_and_in_its_bell(
    open_tab: Callable[..., Tab], admin_api: Api, connections: dict[str, Any]
) -> None:
    agent = {"name": "Célia Plantão", "email": "celia.phone@zapdesk.test", "password": AGENT_PASSWORD, "role": "agent"}
    admin_api.call("POST", "/api/users", json={**agent, "queue_ids": []})
    page = sign_in(open_phone(open_tab), agent["email"], AGENT_PASSWORD)
    expect(page.get_by_test_id("menu-unread")).to_have_count(0)

    admin_api.customer_says(MENTION_CUSTOMER, BUSINESS, "Quero trocar o tamanho", name="Rita Troca")
    ticket = admin_api.ticket_of(MENTION_CUSTOMER)
    admin_api.call("POST", f"/api/tickets/{ticket['id']}/notes", json={"body": "@Célia Plantão pode ver a troca?"})

    # Live, on the menu button itself: the bell waits folded in the menu.
    expect(page.get_by_test_id("menu-unread")).to_have_text("1")
    assert misfits(page, "menu with a notification") == []
    page.get_by_test_id("menu-button").click()
    expect(page.get_by_test_id("notification-count")).to_have_text("1")
    page.get_by_test_id("notification-bell").click()
    page.get_by_test_id("notification-item").click()
    expect(page.get_by_test_id("chat-contact-name")).to_have_text("Rita Troca")
    expect(page.get_by_test_id("menu-unread")).to_have_count(0)


def test_a_number_is_linked_from_a_phone_by_qr_code_or_pairing_code(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    connection = admin_api.call("POST", "/api/connections", json={"name": "Celular Novo", "provider": "simulator"})
    tab = open_phone(open_tab)
    page = sign_in(tab, path="/connections")
    card = page.get_by_test_id("connection-card").filter(has_text="Celular Novo")
    card.get_by_test_id("connect").click()
    card.get_by_test_id("show-qr").click()
    modal = page.get_by_test_id("qr-modal")
    expect(modal.get_by_test_id("qr-image")).to_be_visible()
    problems = misfits(page, "QR code")
    screenshot(page, "phone-qr-code")

    modal.get_by_test_id("qr-tab-phone").click()
    modal.get_by_test_id("pairing-phone").fill("+55 11 93939-0003")
    modal.get_by_test_id("pairing-submit").click()
    code = modal.get_by_test_id("pairing-code")
    expect(code).to_be_visible()
    problems += misfits(page, "pairing code")
    screenshot(page, "phone-pairing-code")
    admin_api.call("POST", "/simulator/api/pair", json={"pairing_code": code.inner_text(), "phone": NEW_BUSINESS})
    expect(modal.get_by_test_id("qr-connected")).to_be_visible()
    assert problems == [], "\n".join(problems)
    assert admin_api.call("GET", f"/api/connections/{connection['id']}")["status"] == "CONNECTED"
    assert tab.errors == []
