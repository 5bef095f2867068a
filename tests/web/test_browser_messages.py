"""Every kind of message in the chat: quotes both ways, reactions, edits, deletions, locations, contact cards, emoji."""

from __future__ import annotations

import base64
import re
import struct
from collections.abc import Callable

import pytest
from playwright.sync_api import Route, expect

from tests.web.conftest import Api, Tab, screenshot, sign_in, tiny_png

pytestmark = pytest.mark.browser

BUSINESS = "5511999990401"


def silent_wav(seconds: float = 0.5, rate: int = 8000) -> bytes:
    """A mono 8-bit WAV of silence."""
    samples = b"\x80" * int(seconds * rate)
    header = b"WAVE" + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate, 1, 8)
    body = header + b"data" + struct.pack("<I", len(samples)) + samples
    return b"RIFF" + struct.pack("<I", len(body)) + body


CUSTOMER = "5521955550401"


def waiting_customer(
    open_tab: Callable[..., Tab], admin_api: Api, connection: str, business: str, customer: str, name: str, says: str
) -> Tab:
    """A tab signed in at the pending tickets, where `name` (`customer`) just wrote `says` to a new connection."""
    admin_api.linked_connection(connection, business)
    admin_api.customer_says(customer, business, says, name=name)
    tab = open_tab()
    sign_in(tab, path="/tickets?tab=pending")
    return tab


TINY_MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 32


def test_the_chat_shows_quotes_reactions_edits_deletions_locations_and_contact_cards(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    admin_api.linked_connection("Mensagens", BUSINESS)
    first = admin_api.customer_says(CUSTOMER, BUSINESS, "primeira mensagem", name="Rita Rica")
    tab = open_tab()
    page = sign_in(tab, path="/tickets?tab=pending")
    page.get_by_test_id("ticket-row").filter(has_text="Rita Rica").click()
    page.get_by_test_id("accept-button").click()
    bubbles = page.get_by_test_id("message")
    composer = page.get_by_test_id("message-input")

    # The agent answers a chosen message: the bubble quotes it, and WhatsApp gets a quoted reply.
    bubbles.filter(has_text="primeira mensagem").get_by_test_id("reply-button").click()
    expect(page.get_by_test_id("composer-reply")).to_contain_text("primeira mensagem")
    composer.fill("resposta do agente")
    composer.press("Enter")
    mine = bubbles.filter(has_text="resposta do agente")
    expect(mine.get_by_test_id("message-quote")).to_contain_text("primeira mensagem")
    expect(page.get_by_test_id("composer-reply")).to_have_count(0)
    on_phone = admin_api.wait_for(
        "the quoted reply on the customer's phone",
        # Signed with the agent's name on WhatsApp (the chat above shows the text alone).
        lambda: [m for m in admin_api.received_by(CUSTOMER) if m.get("text") == "*Administrator:*\nresposta do agente"],
    )
    assert on_phone[0]["quoted_id"] == first

    # The customer reacts to it and quotes it.
    admin_api.customer_says(
        CUSTOMER, BUSINESS, "", kind="reaction", reaction={"target_id": on_phone[0]["id"], "emoji": "👍"}
    )
    expect(mine.get_by_test_id("message-reactions")).to_have_text("👍")
    admin_api.customer_says(CUSTOMER, BUSINESS, "sobre isso", quoted_id=on_phone[0]["id"])
    expect(bubbles.filter(has_text="sobre isso").get_by_test_id("message-quote")).to_contain_text("resposta do agente")

    # Edits and deletions are marked.
    admin_api.customer_says(CUSTOMER, BUSINESS, "primeira mensagem (corrigida)", kind="edit", target_id=first)
    edited = bubbles.filter(has_text="primeira mensagem (corrigida)")
    expect(edited.get_by_test_id("message-edited")).to_have_text("editada")
    regret = admin_api.customer_says(CUSTOMER, BUSINESS, "mensagem errada")
    expect(bubbles.filter(has_text="mensagem errada")).to_have_count(1)
    admin_api.customer_says(CUSTOMER, BUSINESS, "", kind="revoke", target_id=regret)
    expect(bubbles.filter(has_text="mensagem errada")).to_have_count(0)
    expect(page.get_by_test_id("message-deleted")).to_have_text("Mensagem apagada")

    # A location is a map link; a contact card shows the person.
    admin_api.customer_says(
        CUSTOMER,
        BUSINESS,
        "",
        kind="location",
        location={"latitude": -23.5505, "longitude": -46.6333, "name": "Loja Centro"},
    )
    location = page.get_by_test_id("message-location")
    expect(location).to_contain_text("Loja Centro")
    expect(location).to_have_attribute(
        "href", "https://www.openstreetmap.org/?mlat=-23.5505&mlon=-46.6333#map=16/-23.5505/-46.6333"
    )
    admin_api.customer_says(
        CUSTOMER, BUSINESS, "", kind="contact", contact={"display_name": "João Contato", "phone": "5521900000001"}
    )
    expect(page.get_by_test_id("message-contact")).to_contain_text("João Contato")
    expect(page.get_by_test_id("message-contact")).to_contain_text("+5521900000001")

    # A voice note plays in the chat.
    admin_api.customer_says(
        CUSTOMER,
        BUSINESS,
        "",
        kind="voice",
        media={"mime": "audio/wav", "data_base64": base64.b64encode(silent_wav()).decode(), "seconds": 1},
    )
    expect(page.get_by_test_id("message-audio")).to_have_count(1)
    assert page.get_by_test_id("message-audio").evaluate("audio => audio.controls && audio.src.startsWith('blob:')")

    # A round video note shows round, and says what it is.
    admin_api.customer_says(
        CUSTOMER,
        BUSINESS,
        "",
        kind="video_note",
        media={"mime": "video/mp4", "data_base64": base64.b64encode(TINY_MP4).decode(), "seconds": 3},
    )
    note = page.get_by_test_id("message-video-note")
    expect(note).to_contain_text("Mensagem de vídeo")
    assert note.locator("video").evaluate("video => getComputedStyle(video).borderRadius === '50%'")

    # The emoji picker puts its emoji where the cursor is.
    composer.fill("oi ")
    page.get_by_test_id("emoji-button").click()
    page.get_by_test_id("emoji-picker").get_by_role("option").first.click()
    expect(composer).to_have_value("oi 😀")
    screenshot(page, "chat-message-kinds")
    assert tab.errors == []


DROP_FILE = """([selector, kind, name, type, text]) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([text], name, { type }));
    const target = document.querySelector(selector);
    if (kind === "paste") {
        target.dispatchEvent(new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true }));
    } else {
        for (const event of ["dragover", "drop"]) {
            target.dispatchEvent(new DragEvent(event, { dataTransfer: transfer, bubbles: true, cancelable: true }));
        }
    }
}"""


def test_files_are_attached_by_button_drop_and_paste_and_reach_the_customer(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    business, customer = "5511999990402", "5521955550402"
    tab = waiting_customer(open_tab, admin_api, "Anexos", business, customer, "Otto Anexo", "pode mandar o boleto?")
    page = tab.page
    page.get_by_test_id("ticket-row").filter(has_text="Otto Anexo").click()
    page.get_by_test_id("accept-button").click()
    composer = page.get_by_test_id("message-input")

    page.get_by_test_id("file-input").set_input_files(
        files=[{"name": "foto.png", "mimeType": "image/png", "buffer": tiny_png()}]
    )
    expect(page.get_by_test_id("composer-file")).to_contain_text("foto.png")
    composer.fill("a foto")
    composer.press("Enter")
    sent_image = page.get_by_test_id("message").filter(has_text="a foto")
    expect(sent_image).to_have_attribute("data-type", "image")
    expect(sent_image.get_by_test_id("message-image")).to_be_visible()
    expect(sent_image).to_have_attribute("data-status", "delivered")

    page.evaluate(DROP_FILE, ["[data-testid=chat-pane]", "drop", "boleto.pdf", "application/pdf", "%PDF-1.4 boleto"])
    expect(page.get_by_test_id("composer-file")).to_contain_text("boleto.pdf")
    page.get_by_test_id("send-button").click()
    document = page.get_by_test_id("message").filter(has=page.get_by_test_id("message-document"))
    expect(document).to_contain_text("boleto.pdf")
    expect(document).to_have_attribute("data-status", "delivered")

    page.evaluate(DROP_FILE, ["[data-testid=message-input]", "paste", "nota.txt", "text/plain", "anotado"])
    expect(page.get_by_test_id("composer-file")).to_contain_text("nota.txt")
    page.get_by_test_id("send-button").click()
    expect(page.get_by_test_id("message").filter(has_text="nota.txt")).to_have_attribute("data-status", "delivered")

    admin_api.wait_for("three files on the customer's phone", lambda: len(admin_api.received_by(customer)) == 3)
    kinds = [message["kind"] for message in admin_api.received_by(customer)]
    assert sorted(kinds) == ["document", "document", "image"]
    assert tab.errors == []


def test_a_message_the_server_refuses_is_marked_failed_with_its_reason_and_can_be_resent(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    tab = waiting_customer(open_tab, admin_api, "Falhas", "5511999990403", "5521955550403", "Fabi Falha", "o programa")
    page = tab.page
    page.get_by_test_id("ticket-row").filter(has_text="Fabi Falha").click()
    page.get_by_test_id("accept-button").click()

    expect(page.get_by_test_id("message-input")).to_be_visible()

    # A program is not a file we send: the server says why (in Portuguese here), next to the bubble.
    page.evaluate(DROP_FILE, ["[data-testid=message-input]", "paste", "setup.exe", "application/x-msdownload", "MZ"])
    page.get_by_test_id("send-button").click()
    failed = page.get_by_test_id("message").filter(has_text="setup.exe")
    expect(failed).to_have_attribute("data-status", "failed")
    expect(failed.get_by_role("alert")).to_contain_text("Falha no envio")
    expect(failed.get_by_test_id("failed-reason")).to_contain_text("Este tipo de arquivo não pode ser enviado.")
    expect(failed.get_by_test_id("resend")).to_have_text("Reenviar")
    screenshot(page, "message-failed")

    failed.get_by_test_id("resend").click()
    expect(failed).to_have_count(1)
    expect(failed).to_have_attribute("data-status", "failed")

    # Given up on: it never left, so it leaves the chat.
    expect(failed.get_by_test_id("discard")).to_have_text("Descartar")
    failed.get_by_test_id("discard").click()
    expect(failed).to_have_count(0)
    expect(page.get_by_test_id("message").filter(has_text="o programa")).to_have_count(1)


def test_a_message_refused_before_the_chat_had_loaded_shows_once_it_has(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    tab = waiting_customer(open_tab, admin_api, "Cedo", "5511999990404", "5521955550404", "Gil Cedo", "manda o setup")
    page = tab.page
    # The chat's messages are slow to come (a busy server): the agent writes before they are on screen.
    held: list[Route] = []
    chat_pages = re.compile(r"/api/tickets/\d+/messages(\?|$)")
    page.route(chat_pages, lambda route: held.append(route) if route.request.method == "GET" else route.continue_())
    page.get_by_test_id("ticket-row").filter(has_text="Gil Cedo").click()
    page.get_by_test_id("accept-button").click()
    expect(page.get_by_test_id("message-input")).to_be_visible()

    page.evaluate(DROP_FILE, ["[data-testid=message-input]", "paste", "setup.exe", "application/x-msdownload", "MZ"])
    with page.expect_response(lambda answer: answer.request.method == "POST" and "/messages" in answer.url) as post:
        page.get_by_test_id("send-button").click()
    assert post.value.status == 415
    assert held, "the chat's first page was asked for and is still held"

    for route in held:
        route.continue_()
    page.unroute(chat_pages)
    expect(page.get_by_test_id("message").filter(has_text="manda o setup")).to_have_count(1)
    failed = page.get_by_test_id("message").filter(has_text="setup.exe")
    expect(failed).to_have_attribute("data-status", "failed")
    expect(failed.get_by_test_id("failed-reason")).to_contain_text("Este tipo de arquivo não pode ser enviado.")
