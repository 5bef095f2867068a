"""Business hours and scheduled messages in a real browser, past what `test_browser_automation` covers: a
holiday and a queue's own week set in the forms (and wrong intervals refused in Portuguese), a scheduled
message edited from the "Agendamentos" page and from the chat while it waits, and a file scheduled from the
composer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import Api, Tab, screenshot, sign_in

pytestmark = pytest.mark.browser


def _conversation(api: Api, business: str, customer: str, first: str, *, name: str) -> dict[str, Any]:
    """A connection on `business` and the ticket `customer` opened on it by writing `first`."""
    api.linked_connection(f"Conexão {business[-4:]}", business)
    api.customer_says(customer, business, first, name=name)
    return api.ticket_of(customer)


def _typed(moment: datetime) -> str:
    """`moment` as a person types it into the date-time input (the browser's zone is this machine's)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _scheduled(api: Api, ticket: dict[str, Any], body: str, *, hours: float) -> dict[str, Any]:
    send_at = (datetime.now(UTC) + timedelta(hours=hours)).isoformat()
    data = {"connection_id": ticket["connection_id"], "contact_id": ticket["contact"]["id"], "body": body}
    return dict(api.call("POST", "/api/scheduled-messages", json={**data, "send_at": send_at}))


def _edit_dialog(page: Page, row: Any) -> Any:
    row.get_by_test_id("scheduled-edit").click()
    return page.get_by_test_id("form-dialog")


def test_a_holiday_is_set_in_the_connection_form_and_an_interval_ending_before_it_starts_is_refused(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    connection = admin_api.linked_connection("Feriados no navegador", "5511999990611")
    page = sign_in(open_tab(), path="/connections")
    page.get_by_test_id("connection-card").filter(has_text="Feriados no navegador").get_by_test_id(
        "edit-connection"
    ).click()
    dialog = page.get_by_test_id("connection-dialog")
    dialog.get_by_test_id("hours-enabled").check()
    dialog.get_by_test_id("hours-mon").fill("08:00-18:00")
    dialog.get_by_test_id("add-exception").click()
    holiday = dialog.get_by_test_id("hours-exception")
    holiday.get_by_test_id("exception-date").fill("2026-12-24")
    holiday.get_by_test_id("exception-label").fill("Véspera de Natal")
    holiday.get_by_test_id("exception-hours").fill("14:00-10:00")
    dialog.get_by_test_id("connection-submit").click()
    expect(dialog.get_by_test_id("field-error")).to_have_text("O intervalo termina (10:00) antes de começar (14:00).")
    assert admin_api.call("GET", f"/api/connections/{connection['id']}")["automation"]["hours"]["enabled"] is False

    holiday.get_by_test_id("exception-hours").fill("08:00-12:00")
    dialog.get_by_test_id("add-exception").click()
    christmas = dialog.get_by_test_id("hours-exception").last
    christmas.get_by_test_id("exception-date").fill("2026-12-25")
    christmas.get_by_test_id("exception-label").fill("Natal")
    screenshot(page, "hours-exceptions")
    dialog.get_by_test_id("connection-submit").click()
    expect(dialog).to_be_hidden()
    hours = admin_api.call("GET", f"/api/connections/{connection['id']}")["automation"]["hours"]
    assert hours["exceptions"] == [
        {"date": "2026-12-24", "label": "Véspera de Natal", "intervals": [{"start": "08:00", "end": "12:00"}]},
        {"date": "2026-12-25", "label": "Natal", "intervals": []},
    ]


def test_a_queue_gets_its_own_hours_and_overlapping_intervals_are_refused_in_portuguese(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    page = sign_in(open_tab(), path="/queues")
    page.get_by_test_id("queues-page").get_by_test_id("new-item").click()
    dialog = page.get_by_test_id("form-dialog")
    dialog.get_by_test_id("queue-name").fill("Plantão Horário")
    dialog.get_by_test_id("queue-own-hours").check()
    dialog.get_by_test_id("queue-hours-sat").fill("09:00-13:00, 12:00-14:00")
    dialog.get_by_test_id("queue-hours-message").fill("O plantão abre sábado às 9h.")
    dialog.get_by_test_id("form-submit").click()
    expect(dialog.get_by_test_id("field-error")).to_have_text("Os intervalos 09:00-13:00 e 12:00-14:00 se sobrepõem.")
    assert not [queue for queue in admin_api.call("GET", "/api/queues")["items"] if queue["name"] == "Plantão Horário"]

    dialog.get_by_test_id("queue-hours-sat").fill("09:00-13:00")
    dialog.get_by_test_id("form-submit").click()
    expect(dialog).to_be_hidden()
    [saved] = [queue for queue in admin_api.call("GET", "/api/queues")["items"] if queue["name"] == "Plantão Horário"]
    assert saved["hours"]["days"]["sat"] == [{"start": "09:00", "end": "13:00"}]
    assert saved["hours"]["days"]["mon"] == []
    assert saved["hours"]["message"] == "O plantão abre sábado às 9h."

    # Switched off again: the queue follows its connection's hours.
    page.get_by_test_id("item-row").filter(has_text="Plantão Horário").get_by_test_id("edit-item").click()
    expect(dialog.get_by_test_id("queue-hours-sat")).to_have_value("09:00-13:00")
    dialog.get_by_test_id("queue-own-hours").uncheck()
    dialog.get_by_test_id("form-submit").click()
    expect(dialog).to_be_hidden()
    assert admin_api.call("GET", f"/api/queues/{saved['id']}")["hours"] is None


def test_a_scheduled_message_is_edited_from_the_list_and_a_time_in_the_past_is_refused_in_portuguese(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    ticket = _conversation(admin_api, "5511999990612", "5521988880612", "Me avise do boleto", name="Gil Lista")
    schedule = _scheduled(admin_api, ticket, "Texto antigo", hours=24)
    tab = open_tab()
    page = sign_in(tab, path="/scheduled")

    row = page.get_by_test_id("scheduled-row").filter(has_text="Gil Lista")
    dialog = _edit_dialog(page, row)
    expect(dialog.get_by_test_id("schedule-body")).to_have_value("Texto antigo")
    dialog.get_by_test_id("schedule-body").fill("Texto novo")
    dialog.get_by_test_id("schedule-when").fill(_typed(datetime.now() - timedelta(hours=1)))
    dialog.get_by_test_id("form-submit").click()
    expect(dialog.get_by_test_id("field-error")).to_have_text("Escolha uma data e hora no futuro.")
    assert admin_api.call("GET", f"/api/scheduled-messages/{schedule['id']}")["body"] == "Texto antigo"

    later = datetime.now().replace(microsecond=0) + timedelta(days=2)
    dialog.get_by_test_id("schedule-when").fill(_typed(later))
    dialog.get_by_test_id("form-submit").click()
    expect(dialog).to_be_hidden()
    expect(row).to_contain_text("Texto novo")
    saved = admin_api.call("GET", f"/api/scheduled-messages/{schedule['id']}")
    assert saved["body"] == "Texto novo"
    assert datetime.fromisoformat(saved["send_at"]) == later.astimezone(UTC)
    assert saved["status"] == "scheduled"
    assert tab.errors == []


def test_a_message_still_scheduled_is_edited_from_the_chat_and_goes_out_with_the_new_text(
    open_tab: Callable[..., Tab], admin_api: Api
) -> None:
    customer = "5521988880613"
    ticket = _conversation(admin_api, "5511999990613", customer, "Quando chega?", name="Hana Chat")
    _scheduled(admin_api, ticket, "Chega amanhã", hours=1)
    tab = open_tab()
    page = sign_in(tab, path=f"/tickets/{ticket['id']}")

    waiting = page.get_by_test_id("scheduled-in-chat")
    expect(waiting).to_contain_text("Chega amanhã")
    dialog = _edit_dialog(page, waiting)
    dialog.get_by_test_id("schedule-body").fill("Chega hoje à tarde")
    dialog.get_by_test_id("schedule-when").fill(_typed(datetime.now() + timedelta(seconds=3)))
    dialog.get_by_test_id("form-submit").click()
    expect(dialog).to_be_hidden()

    sent = page.get_by_test_id("message").filter(has_text="Chega hoje à tarde")
    expect(sent).to_have_attribute("data-status", "delivered", timeout=20_000)
    expect(page.get_by_test_id("scheduled-strip")).to_be_hidden()  # it went out: nothing waits any more
    texts = [item["text"] for item in admin_api.received_by(customer)]
    assert texts == ["*Administrator:*\nChega hoje à tarde"]
    screenshot(page, "scheduled-edited-in-chat")
    assert tab.errors == []


def test_a_file_scheduled_from_the_composer_goes_out_once(open_tab: Callable[..., Tab], admin_api: Api) -> None:
    customer = "5521988880614"
    ticket = _conversation(admin_api, "5511999990614", customer, "Manda o boleto depois", name="Ivo Arquivo")
    tab = open_tab()
    page = sign_in(tab, path=f"/tickets/{ticket['id']}")
    page.get_by_test_id("accept-button").click()

    page.get_by_test_id("file-input").set_input_files(
        files=[{"name": "boleto.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 boleto"}]
    )
    page.get_by_test_id("message-input").fill("Seu boleto")
    page.get_by_test_id("schedule-button").click()
    dialog = page.get_by_test_id("form-dialog")
    dialog.get_by_role("button", name="Cancelar").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("message-input")).to_have_value("Seu boleto")  # given back as it was
    expect(page.get_by_test_id("composer-file")).to_contain_text("boleto.pdf")

    page.get_by_test_id("schedule-button").click()
    expect(dialog.get_by_test_id("schedule-file")).to_contain_text("boleto.pdf")
    dialog.get_by_test_id("schedule-when").fill(_typed(datetime.now() + timedelta(seconds=3)))
    dialog.get_by_test_id("form-submit").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("composer-file")).to_be_hidden()  # the file went with the schedule
    expect(page.get_by_test_id("message-input")).to_have_value("")  # and the text

    document = page.get_by_test_id("message").filter(has=page.get_by_test_id("message-document"))
    expect(document).to_contain_text("boleto.pdf", timeout=20_000)
    expect(document).to_have_attribute("data-status", "delivered")
    admin_api.wait_for("the file on the customer's phone", lambda: admin_api.received_by(customer))
    assert [item["kind"] for item in admin_api.received_by(customer)] == ["document"]
    [schedule] = admin_api.call("GET", "/api/scheduled-messages", params={"contact_id": ticket["contact"]["id"]})[
        "items"
    ]
    assert (schedule["status"], schedule["media_name"], schedule["body"]) == ("sent", "boleto.pdf", "Seu boleto")
    assert tab.errors == []
