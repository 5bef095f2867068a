"""Reading Meta's webhook notifications into our events, from Meta's documented example payloads (`payloads/`)
and the other message kinds the Cloud API reference describes; and the signature Meta puts on them."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from zapdesk.engine.cloud.webhook import (
    UnreadableNotification,
    parse_notification,
    with_media,
)
from zapdesk.engine.events import (
    Chat,
    ContactCardContent,
    LocationContent,
    MediaContent,
    MediaKind,
    MessageReceived,
    ReactionContent,
    Receipt,
    ReceiptKind,
    Sender,
    TextContent,
    UnsupportedContent,
)
from zapdesk.kit.hub_signatures import signature_matches, signature_of

PAYLOADS = Path(__file__).parent / "payloads"
CUSTOMER = "16505551234"
MESSAGE_ID = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="


def payload(name: str) -> bytes:
    return (PAYLOADS / f"{name}.json").read_bytes()


def only_event(body: bytes) -> MessageReceived | Receipt:
    (news,) = parse_notification(body)
    assert news.phone_number_id == "106540352242922"
    (event,) = news.events
    return event


def customer_message(kind: str, fields: dict[str, Any]) -> bytes:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": CUSTOMER}],
        "messages": [{"from": CUSTOMER, "id": MESSAGE_ID, "timestamp": "1749416383", "type": kind, **fields}],
    }
    return json.dumps(
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": value, "field": "messages"}]}]}
    ).encode()


def test_documented_text_message_becomes_a_text_from_the_customer_with_their_profile_name() -> None:
    event = only_event(payload("text"))

    assert event == MessageReceived(
        external_id=MESSAGE_ID,
        chat=Chat(address=CUSTOMER),
        sender=Sender(phone=CUSTOMER, push_name="Sheena Nelson"),
        from_me=False,
        timestamp=datetime(2025, 6, 8, 20, 59, 43, tzinfo=UTC),
        content=TextContent("Does it come in another color?"),
    )


async def test_documented_image_message_waits_for_its_download_then_carries_the_bytes() -> None:
    (news,) = parse_notification(payload("image"))
    assert news.media_ids == {MESSAGE_ID: "1003383421387256"}
    asked: list[str] = []

    async def download(media_id: str) -> tuple[bytes | None, str | None]:
        asked.append(media_id)
        return b"\xff\xd8\xff jpeg", None

    (event,) = await with_media(news, download)

    assert asked == ["1003383421387256"]
    assert isinstance(event, MessageReceived)
    assert event.content == MediaContent(
        kind=MediaKind.IMAGE, mime="image/jpeg", data=b"\xff\xd8\xff jpeg", caption="This is how it looks", size=8
    )


async def test_a_failed_download_keeps_the_message_with_the_reason() -> None:
    (news,) = parse_notification(payload("image"))

    async def download(_media_id: str) -> tuple[bytes | None, str | None]:
        return None, "The file could not be downloaded from Meta: gone (100)"

    (event,) = await with_media(news, download)

    assert isinstance(event, MessageReceived) and isinstance(event.content, MediaContent)
    assert (event.content.data, event.content.error) == (None, "The file could not be downloaded from Meta: gone (100)")


def test_documented_reaction_targets_the_reacted_message() -> None:
    event = only_event(payload("reaction"))

    assert isinstance(event, MessageReceived)
    assert event.content == ReactionContent(
        target_id="wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MUExNDU5QzE4RDI5RDg3NDYA", emoji="😀"
    )
    assert event.quoted_id is None


def test_documented_button_reply_is_the_chosen_title_quoting_the_message_it_answers() -> None:
    event = only_event(payload("interactive_reply"))

    assert isinstance(event, MessageReceived)
    assert event.content == TextContent("Cancel")
    assert event.quoted_id == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0Q0JFQTNBRjU5N0E5MTVGQzcA"


def test_documented_read_status_is_a_read_receipt() -> None:
    event = only_event(payload("status_read"))

    assert event == Receipt(
        chat=Chat(address=CUSTOMER),
        external_ids=("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA",),
        kind=ReceiptKind.READ,
        timestamp=datetime(2025, 6, 18, 16, 22, 53, tzinfo=UTC),
    )


def test_documented_failed_status_carries_metas_title_details_and_code() -> None:
    event = only_event(payload("status_failed"))

    assert isinstance(event, Receipt)
    assert event.kind is ReceiptKind.FAILED
    assert event.error == "Message undeliverable: Message Undeliverable. (131026)"


def test_a_status_names_our_own_id_too_when_meta_echoes_it() -> None:
    body = json.loads(payload("status_read"))
    body["entry"][0]["changes"][0]["value"]["statuses"][0]["biz_opaque_callback_data"] = "zapdesk.abc123"

    event = only_event(json.dumps(body).encode())

    assert isinstance(event, Receipt)
    assert event.external_ids == ("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA", "zapdesk.abc123")


@pytest.mark.parametrize(
    ("kind", "fields", "content"),
    [
        (
            "audio",
            {"audio": {"mime_type": "audio/ogg; codecs=opus", "sha256": "x", "id": "55", "voice": True}},
            MediaContent(kind=MediaKind.VOICE, mime="audio/ogg", data=None, error="not downloaded yet"),
        ),
        (
            "document",
            {"document": {"caption": "Fatura", "filename": "fatura.pdf", "mime_type": "application/pdf", "id": "56"}},
            MediaContent(
                kind=MediaKind.DOCUMENT,
                mime="application/pdf",
                data=None,
                file_name="fatura.pdf",
                caption="Fatura",
                error="not downloaded yet",
            ),
        ),
        (
            "sticker",
            {"sticker": {"mime_type": "image/webp", "sha256": "x", "id": "57", "animated": False}},
            MediaContent(kind=MediaKind.STICKER, mime="image/webp", data=None, error="not downloaded yet"),
        ),
        (
            "location",
            {"location": {"latitude": -23.55, "longitude": -46.63, "name": "Loja", "address": "Av. Paulista, 1"}},
            LocationContent(-23.55, -46.63, name="Loja", address="Av. Paulista, 1"),
        ),
        (
            "contacts",
            {
                "contacts": [
                    {
                        "name": {"formatted_name": "Ana Souza"},
                        "phones": [{"phone": "+55 11 98888-0000", "wa_id": "5511988880000", "type": "CELL"}],
                    }
                ]
            },
            ContactCardContent(
                display_name="Ana Souza",
                vcard="BEGIN:VCARD\nVERSION:3.0\nFN:Ana Souza\n"
                "TEL;type=CELL;waid=5511988880000:+55 11 98888-0000\nEND:VCARD",
            ),
        ),
        ("button", {"button": {"text": "Sim, confirmo", "payload": "yes"}}, TextContent("Sim, confirmo")),
        (
            "interactive",
            {
                "interactive": {
                    "type": "list_reply",
                    "list_reply": {"id": "2", "title": "Segunda via", "description": "x"},
                }
            },
            TextContent("Segunda via"),
        ),
        (
            "unsupported",
            {
                "errors": [
                    {
                        "code": 131051,
                        "title": "Message type unknown",
                        "message": "Message type unknown",
                        "error_data": {"details": "Message type is currently not supported."},
                    }
                ]
            },
            UnsupportedContent("unsupported (Message type unknown: Message type is currently not supported. (131051))"),
        ),
        ("order", {"order": {"catalog_id": "1", "product_items": []}}, UnsupportedContent("order")),
    ],
)
def test_every_kind_of_customer_message_is_read_and_unknown_ones_are_kept_as_unsupported(
    kind: str, fields: dict[str, Any], content: object
) -> None:
    event = only_event(customer_message(kind, fields))

    assert isinstance(event, MessageReceived)
    assert event.content == content


def test_a_body_that_is_not_a_notification_is_refused() -> None:
    with pytest.raises(UnreadableNotification):
        parse_notification(b'{"hello": "world"}')


def test_signature_is_hmac_sha256_of_the_raw_body_with_the_app_secret() -> None:
    body = payload("text")
    expected = "sha256=" + hmac.new(b"app-secret", body, hashlib.sha256).hexdigest()

    assert signature_of("app-secret", body) == expected
    assert signature_matches("app-secret", body, expected)
    assert not signature_matches("other-secret", body, expected)
    assert not signature_matches("app-secret", body + b" ", expected)
    assert not signature_matches("app-secret", body, expected.removeprefix("sha256="))
