"""Inbound events survive the trip to JSON and back exactly: a dead letter's retry stores what arrived."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from zapdesk.engine import codec
from zapdesk.engine.events import (
    Chat,
    ContactCardContent,
    LocationContent,
    MediaContent,
    MediaKind,
    MessageEdited,
    MessageReceived,
    MessageRevoked,
    ReactionContent,
    Receipt,
    ReceiptKind,
    Sender,
    TextContent,
    UnsupportedContent,
)

WHEN = datetime(2026, 12, 3, 12, 30, 15, 123000, tzinfo=UTC)
CHAT = Chat("5511988887777", name="Ana")


def _received(content: object) -> MessageReceived:
    return MessageReceived(
        external_id="3A01",
        chat=CHAT,
        sender=Sender(phone="5511988887777", lid="123456789012345", push_name="Ana"),
        from_me=False,
        timestamp=WHEN,
        content=content,  # type: ignore[arg-type]
        quoted_id="3A00",
    )


@pytest.mark.parametrize(
    "event",
    [
        _received(TextContent("Olá\x00!")),
        _received(MediaContent(MediaKind.VOICE, "audio/ogg", b"\x00\xffOggS", size=5, seconds=7)),
        _received(MediaContent(MediaKind.DOCUMENT, "application/pdf", None, file_name="a.pdf", error="410")),
        _received(LocationContent(-23.55, -46.63, name="Loja")),
        _received(ContactCardContent("Bia", "BEGIN:VCARD\nEND:VCARD")),
        _received(ReactionContent("3A00", "👍")),
        _received(UnsupportedContent("pollCreationMessage")),
        Receipt(
            chat=Chat("120363@g.us", is_group=True), external_ids=("A", "B"), kind=ReceiptKind.READ, timestamp=WHEN
        ),
        MessageEdited(chat=CHAT, external_id="3A01", text="corrigido", timestamp=WHEN),
        MessageRevoked(chat=CHAT, external_id="3A01", timestamp=WHEN),
    ],
)
def test_every_inbound_event_round_trips_through_json(event: codec.InboundEvent) -> None:
    stored = json.loads(json.dumps(codec.encode(event)))

    decoded = codec.decode_event(stored)

    assert decoded == event
    if isinstance(event, MessageReceived) and isinstance(event.content, MediaContent):
        assert isinstance(decoded, MessageReceived) and isinstance(decoded.content, MediaContent)
        assert decoded.content.kind is event.content.kind


def test_json_that_is_not_an_event_is_refused() -> None:
    with pytest.raises(codec.UndecodableEvent):
        codec.decode_event({"type": "Ticket", "fields": {}})
    with pytest.raises(codec.UndecodableEvent):
        codec.decode_event(codec.encode(CHAT))
