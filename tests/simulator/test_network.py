"""The simulator's control API: what people and tests use to play phones, link devices and inject faults."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.simulator.harness import WAIT, Engines, LiveSimulator, engines, simulator, simulator_config
from zapdesk.engine.events import (
    Chat,
    EngineState,
    MessageReceived,
    OutgoingMessage,
    PairingCode,
    QrCode,
    SessionTarget,
    TextContent,
)

__all__ = ["engines", "simulator", "simulator_config"]  # fixtures the tests below use

BUSINESS = "5511900000001"
CUSTOMER = "5511999990001"

BAD_REQUESTS: list[tuple[str, str, Any, int, str]] = [
    ("POST", "/api/scan", {"code": "2@nobody,shows,this,code", "phone": BUSINESS}, 404, "unknown_code"),
    ("POST", "/api/scan", {"code": "2@x", "phone": "call me"}, 422, "invalid"),
    ("POST", "/api/scan", "{not json", 400, "invalid_json"),
    ("POST", "/api/pair", {"pairing_code": "ABCD-EFGH", "phone": BUSINESS}, 404, "unknown_code"),
    ("POST", "/api/messages", {"from": CUSTOMER, "to": BUSINESS}, 422, "invalid"),
    ("POST", "/api/messages", {"from": "12", "to": BUSINESS, "text": "oi"}, 422, "invalid"),
    ("POST", "/api/messages", {"from": CUSTOMER, "to": BUSINESS, "kind": "image"}, 422, "invalid"),
    (
        "POST",
        "/api/messages",
        {"from": CUSTOMER, "to": BUSINESS, "media": {"kind": "image", "mime": "image/png", "data_base64": "%%%"}},
        422,
        "invalid",
    ),
    ("POST", "/api/messages", {"from": CUSTOMER, "to": BUSINESS, "kind": "edit", "text": "x"}, 422, "invalid"),
    (
        "POST",
        "/api/messages",
        {"from": CUSTOMER, "to": BUSINESS, "kind": "revoke", "target_id": "NOT-SENT"},
        404,
        "not_found",
    ),
    ("POST", f"/api/phones/{CUSTOMER}/read", {"ids": ["NOT-RECEIVED"]}, 404, "not_found"),
    ("POST", f"/api/phones/{CUSTOMER}/read", {"ids": []}, 422, "invalid"),
    ("GET", "/api/phones/not-a-phone/messages", None, 422, "invalid"),
    ("POST", f"/api/sessions/{BUSINESS}/drop", None, 409, "not_connected"),
    ("POST", f"/api/sessions/{BUSINESS}/replace", None, 409, "not_connected"),
    ("POST", f"/api/sessions/{BUSINESS}/logout", None, 404, "not_linked"),
    ("GET", "/api/media/no-such-key", None, 404, "not_found"),
    ("POST", "/api/link/messages", {"id": "3EB0AA", "chat": CUSTOMER, "text": "x"}, 401, "not_linked"),
]


@pytest.mark.parametrize(("method", "path", "body", "status", "code"), BAD_REQUESTS)
async def test_the_control_api_answers_bad_input_with_4xx_json(
    simulator: LiveSimulator, method: str, path: str, body: Any, status: int, code: str
) -> None:
    if isinstance(body, str):
        response = await simulator.client.request(
            method, path, content=body, headers={"Content-Type": "application/json"}
        )
    else:
        response = await simulator.client.request(method, path, json=body)

    assert response.status_code == status, response.text
    answer = response.json()
    assert answer["code"] == code
    assert isinstance(answer["detail"], str) and answer["detail"]


async def test_devices_waiting_for_a_scan_are_listed_with_their_current_code(
    simulator: LiveSimulator, engines: Engines
) -> None:
    engine, recorder = engines.new()
    await engine.start(SessionTarget(pairing_phone=BUSINESS))
    qr = await recorder.wait_for(QrCode)
    pairing = await recorder.wait_for(PairingCode)

    [waiting] = (await simulator.call("GET", "/api/sessions"))["waiting"]

    assert (waiting["code"], waiting["pairing_phone"], waiting["pairing_code"]) == (qr.code, BUSINESS, pairing.code)
    assert waiting["codes_left"] == simulator.config.qr_codes - 1
    await simulator.scan(waiting["code"], BUSINESS)
    await recorder.wait_for_state(EngineState.CONNECTED)
    status = await simulator.call("GET", "/api/sessions")
    assert status["waiting"] == []
    assert [(phone["phone"], phone["status"]) for phone in status["phones"]] == [(BUSINESS, "online")]


async def test_a_scanned_code_cannot_link_a_second_phone(simulator: LiveSimulator, engines: Engines) -> None:
    engine, recorder = engines.new()
    await engine.start(SessionTarget())
    qr = await recorder.wait_for(QrCode)
    await simulator.scan(qr.code, BUSINESS)

    again = await simulator.client.post("/api/scan", json={"code": qr.code, "phone": "5511911112222"})

    assert again.status_code == 410
    assert again.json()["code"] == "expired"


async def test_messages_to_a_number_never_linked_wait_for_its_first_device(
    simulator: LiveSimulator, engines: Engines
) -> None:
    await simulator.write(CUSTOMER, BUSINESS, "alguém aí?")
    assert (await simulator.call("GET", "/api/sessions"))["phones"] == []

    _, recorder, _ = await engines.linked(BUSINESS)

    message = await recorder.wait_for(MessageReceived)
    assert message.content == TextContent("alguém aí?")


async def test_a_customer_phone_lists_its_chats_by_business_and_optionally_its_own_messages(
    simulator: LiveSimulator, engines: Engines
) -> None:
    sales, _, _ = await engines.linked(BUSINESS)
    support, _, _ = await engines.linked("5511900000002")
    await simulator.write(CUSTOMER, BUSINESS, "quero comprar")
    await sales.send(Chat(CUSTOMER), OutgoingMessage(message_id=sales.new_message_id(), text="de vendas"))
    await support.send(Chat(CUSTOMER), OutgoingMessage(message_id=support.new_message_id(), text="do suporte"))

    everything = await simulator.call("GET", f"/api/phones/{CUSTOMER}/messages")
    from_sales = await simulator.call("GET", f"/api/phones/{CUSTOMER}/messages?business={BUSINESS}&include_sent=true")

    assert [item["text"] for item in everything["items"]] == ["de vendas", "do suporte"]
    assert [(item["text"], item["mine"], item["from"], item["to"]) for item in from_sales["items"]] == [
        ("quero comprar", True, CUSTOMER, BUSINESS),
        ("de vendas", False, BUSINESS, CUSTOMER),
    ]


async def test_state_survives_a_restart_and_pending_deliveries_resume(
    simulator: LiveSimulator, engines: Engines
) -> None:
    simulator.config = simulator.config.model_copy(update={"receipt_delay_seconds": 60})
    await simulator.restart()
    engine, _, token = await engines.linked(BUSINESS)
    sent = await engine.send(Chat(CUSTOMER), OutgoingMessage(message_id=engine.new_message_id(), text="vai chegar"))
    await engine.stop()
    await simulator.write(CUSTOMER, BUSINESS, "na fila")

    simulator.config = simulator.config.model_copy(update={"receipt_delay_seconds": 0.05})
    await simulator.restart()

    async with asyncio.timeout(WAIT):
        while (await simulator.received_by(CUSTOMER))[0]["state"] != "delivered":
            await asyncio.sleep(0.05)
    [phone] = (await simulator.call("GET", "/api/sessions"))["phones"]
    assert (phone["phone"], phone["status"], phone["queued"]) == (BUSINESS, "offline", 2)  # message + receipt
    assert [item["id"] for item in await simulator.received_by(CUSTOMER)] == [sent.external_id]
    rejected = await simulator.client.post(
        "/api/link/messages",
        json={"id": "3EB0AA", "chat": f"{CUSTOMER}@s.whatsapp.net", "text": "x"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert rejected.status_code == 409  # the session survived, but its device is not connected


async def test_the_phone_page_is_served_and_never_renders_user_text_as_html(simulator: LiveSimulator) -> None:
    response = await simulator.client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "Scan with phone +" in page
    assert "innerHTML" not in page and "insertAdjacentHTML" not in page and "document.write" not in page
    assert "textContent" in page


async def test_the_openapi_schema_documents_the_control_api(simulator: LiveSimulator) -> None:
    schema = await simulator.call("GET", "/openapi.json")

    for path in (
        "/api/scan",
        "/api/pair",
        "/api/messages",
        "/api/phones/{phone}/messages",
        "/api/phones/{phone}/read",
        "/api/sessions/{phone}/drop",
        "/api/sessions/{phone}/logout",
        "/api/sessions/{phone}/replace",
    ):
        assert path in schema["paths"], path
    assert "voice" in schema["info"]["description"] and "as_lid" in schema["info"]["description"]
