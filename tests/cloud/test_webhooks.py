"""Meta's webhook at `/api/webhooks/cloud/{connection_id}`: its callback check, signatures, duplicates, and each
of Meta's documented example payloads ingested into the message it describes (SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.cloud.conftest import APP_SECRET, CUSTOMER, PHONE_NUMBER_ID, CloudDesk, payload
from tests.media.samples import JPEG
from tests.tickets.factories import make_contact, make_ticket
from zapdesk.connections.models import Connection
from zapdesk.db.uow import unit_of_work
from zapdesk.kit.hub_signatures import signature_of
from zapdesk.messages.models import Message, MessageStatus, MessageType


async def stored_messages(desk: CloudDesk) -> list[Message]:
    async with unit_of_work(desk.server.context.sessionmaker) as session:
        return list((await session.execute(select(Message).order_by(Message.id))).scalars())


async def our_message(desk: CloudDesk, external_id: str, status: MessageStatus = MessageStatus.SENT) -> Message:
    """A message an agent sent earlier to the documented customer, known to Meta by `external_id`."""
    context = desk.server.context
    async with unit_of_work(context.sessionmaker) as session:
        connection = await session.get(Connection, desk.connection_id)
    assert connection is not None
    existing = await stored_messages(desk)
    contact_id = next((m.contact_id for m in existing if not m.from_me), None)
    ticket_id = next((m.ticket_id for m in existing if not m.from_me), None)
    if ticket_id is None:
        contact = await make_contact(context, phone=CUSTOMER)
        ticket = await make_ticket(context, connection=connection, contact=contact)
        contact_id, ticket_id = contact.id, ticket.id
    async with unit_of_work(context.sessionmaker) as session:
        message = Message(
            ticket_id=ticket_id,
            contact_id=contact_id,
            connection_id=desk.connection_id,
            from_me=True,
            body="Temos em azul e verde.",
            external_id=external_id,
            status=status,
            extra={},
            reactions={},
        )
        session.add(message)
    return message


async def test_metas_callback_check_is_answered_with_the_challenge_only_for_the_right_verify_token(
    cloud_desk: CloudDesk,
) -> None:
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": cloud_desk.number["verify_token"],
        "hub.challenge": "1158201444",
    }
    right = await cloud_desk.http.get(cloud_desk.webhook_url, params=params)
    wrong = await cloud_desk.http.get(cloud_desk.webhook_url, params={**params, "hub.verify_token": "guess"})

    assert (right.status_code, right.text) == (200, "1158201444")
    assert wrong.status_code == 403 and wrong.json()["code"] == "verify_token_invalid"


async def test_documented_text_creates_contact_ticket_and_message(cloud_desk: CloudDesk) -> None:
    assert await cloud_desk.deliver(payload("text")) == [200]

    (message,) = await stored_messages(cloud_desk)
    assert (message.body, message.type, message.from_me) == ("Does it come in another color?", MessageType.TEXT, False)
    assert message.sender_name == "Sheena Nelson"
    assert message.connection_id == cloud_desk.connection_id
    tickets = (await cloud_desk.http.get("/api/tickets", params={"status": "pending"})).json()["items"]
    assert [(t["contact"]["phone"], t["contact"]["name"]) for t in tickets] == [(CUSTOMER, "Sheena Nelson")]


async def test_documented_image_is_downloaded_from_meta_with_the_token_into_the_media_store(
    cloud_desk: CloudDesk,
) -> None:
    media = {"id": "1003383421387256", "mime": "image/jpeg", "data_base64": base64.b64encode(JPEG).decode()}
    assert (await cloud_desk.meta.post(f"/numbers/{PHONE_NUMBER_ID}/media", json=media)).status_code == 200

    await cloud_desk.deliver(payload("image"))

    (message,) = await stored_messages(cloud_desk)
    assert (message.type, message.body, message.media_mime) == (MessageType.IMAGE, "This is how it looks", "image/jpeg")
    downloaded = await cloud_desk.http.get(f"/api/messages/{message.id}/media")
    assert downloaded.content == JPEG


async def test_documented_reaction_lands_on_the_message_it_reacts_to(cloud_desk: CloudDesk) -> None:
    target = await our_message(cloud_desk, "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MUExNDU5QzE4RDI5RDg3NDYA")

    await cloud_desk.deliver(payload("reaction"))

    (message,) = await stored_messages(cloud_desk)
    assert message.id == target.id
    assert message.reactions == {CUSTOMER: "😀"}


async def test_documented_button_reply_is_stored_as_its_title_quoting_our_message(cloud_desk: CloudDesk) -> None:
    asked = await our_message(cloud_desk, "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0Q0JFQTNBRjU5N0E5MTVGQzcA")

    await cloud_desk.deliver(payload("interactive_reply"))

    reply = (await stored_messages(cloud_desk))[-1]
    assert (reply.body, reply.from_me, reply.quoted_message_id) == ("Cancel", False, asked.id)


async def test_documented_read_status_ticks_our_message_read(cloud_desk: CloudDesk) -> None:
    sent = await our_message(cloud_desk, "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA")

    await cloud_desk.deliver(payload("status_read"))

    (message,) = await stored_messages(cloud_desk)
    assert (message.id, message.status) == (sent.id, MessageStatus.READ)


async def test_documented_failed_status_fails_our_message_with_metas_reason(cloud_desk: CloudDesk) -> None:
    await our_message(cloud_desk, "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI4MEM5QjkxNDJDMTRGNDQ1NTMA")

    await cloud_desk.deliver(payload("status_failed"))

    (message,) = await stored_messages(cloud_desk)
    assert message.status == MessageStatus.FAILED
    assert message.error == "Message undeliverable: Message Undeliverable. (131026)"


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "signature_missing"),
        ({"X-Hub-Signature-256": signature_of("not-the-app-secret", b"x")}, 403, "signature_invalid"),
        ({"X-Hub-Signature-256": "sha256=" + "0" * 64}, 403, "signature_invalid"),
    ],
    ids=["unsigned", "signed-with-another-secret", "forged"],
)
async def test_unsigned_or_wrongly_signed_delivery_stores_nothing_and_is_logged(
    cloud_desk: CloudDesk, caplog: pytest.LogCaptureFixture, headers: dict[str, str], status: int, code: str
) -> None:
    body = json.dumps(payload("text")).encode()
    if headers and headers["X-Hub-Signature-256"].endswith(signature_of("not-the-app-secret", b"x")[-8:]):
        headers = {"X-Hub-Signature-256": signature_of("not-the-app-secret", body)}

    with caplog.at_level(logging.WARNING, logger="zapdesk.cloud.inbound"):
        response = await cloud_desk.http.post(
            cloud_desk.webhook_url, content=body, headers={**headers, "Content-Type": "application/json"}
        )

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert await stored_messages(cloud_desk) == []
    assert any("refused" in record.getMessage() for record in caplog.records)


async def test_the_same_delivery_twice_stores_one_message(cloud_desk: CloudDesk) -> None:
    body = json.dumps(payload("text")).encode()
    headers = {"X-Hub-Signature-256": signature_of(APP_SECRET, body), "Content-Type": "application/json"}

    first = await cloud_desk.http.post(cloud_desk.webhook_url, content=body, headers=headers)
    again = await cloud_desk.http.post(cloud_desk.webhook_url, content=body, headers=headers)

    assert (first.status_code, again.status_code) == (200, 200)
    async with unit_of_work(cloud_desk.server.context.sessionmaker) as session:
        assert await session.scalar(select(func.count()).select_from(Message)) == 1


async def test_a_delivery_over_the_body_limit_is_refused_413_with_the_security_headers_and_stores_nothing(
    cloud_desk: CloudDesk,
) -> None:
    limit = cloud_desk.server.context.settings.max_body_bytes
    oversized: dict[str, Any] = payload("text")
    oversized["padding"] = "x" * limit
    body = json.dumps(oversized).encode()
    headers = {"X-Hub-Signature-256": signature_of(APP_SECRET, body), "Content-Type": "application/json"}

    response = await cloud_desk.http.post(cloud_desk.webhook_url, content=body, headers=headers)

    assert (response.status_code, response.json()["code"]) == (413, "payload_too_large")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert await stored_messages(cloud_desk) == []


async def test_a_stored_delivery_is_answered_with_the_security_headers(cloud_desk: CloudDesk) -> None:
    body = json.dumps(payload("text")).encode()
    headers = {"X-Hub-Signature-256": signature_of(APP_SECRET, body), "Content-Type": "application/json"}

    response = await cloud_desk.http.post(cloud_desk.webhook_url, content=body, headers=headers)

    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert len(await stored_messages(cloud_desk)) == 1


async def test_news_for_a_number_no_connection_holds_is_acknowledged_and_dropped(cloud_desk: CloudDesk) -> None:
    other: dict[str, Any] = payload("text")
    other["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999999999"
    body = json.dumps(other).encode()

    response = await cloud_desk.http.post(
        cloud_desk.webhook_url, content=body, headers={"X-Hub-Signature-256": signature_of(APP_SECRET, body)}
    )

    assert response.status_code == 200
    assert await stored_messages(cloud_desk) == []
