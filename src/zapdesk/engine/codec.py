"""Inbound engine events as JSON and back, exactly (enums, times and file bytes included): what a dead letter
keeps of an event whose ingest failed, so a later retry stores the very event that arrived."""

from __future__ import annotations

import base64
import dataclasses
from datetime import datetime
from enum import Enum
from typing import Any

from zapdesk.engine import events

JsonValue = Any  # what json.dumps takes: dicts, lists, str, int, float, bool, None

# Every type an inbound event may hold, by name.
_DATACLASSES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        events.MessageReceived,
        events.Receipt,
        events.MessageEdited,
        events.MessageRevoked,
        events.Chat,
        events.Sender,
        events.TextContent,
        events.MediaContent,
        events.LocationContent,
        events.ContactCardContent,
        events.ReactionContent,
        events.UnsupportedContent,
    )
}
_ENUMS: dict[str, type[Enum]] = {cls.__name__: cls for cls in (events.MediaKind, events.ReceiptKind)}

InboundEvent = events.MessageReceived | events.Receipt | events.MessageEdited | events.MessageRevoked


class UndecodableEvent(ValueError):
    """Stored JSON that is not an inbound event (written by a version that knew other types)."""


def encode(value: object) -> JsonValue:
    if isinstance(value, Enum):
        return {"enum": type(value).__name__, "value": value.value}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {field.name: encode(getattr(value, field.name)) for field in dataclasses.fields(value)}
        return {"type": type(value).__name__, "fields": fields}
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, bytes):
        return {"bytes": base64.b64encode(value).decode()}
    if isinstance(value, tuple | list):
        return [encode(item) for item in value]
    return value


def decode(value: JsonValue) -> Any:
    if isinstance(value, list):
        return tuple(decode(item) for item in value)  # events hold tuples, never lists
    if not isinstance(value, dict):
        return value
    if "type" in value:
        cls = _DATACLASSES.get(value["type"])
        if cls is None:
            raise UndecodableEvent(f"unknown event part {value['type']!r}")
        return cls(**{name: decode(item) for name, item in value["fields"].items()})
    if "enum" in value:
        enum = _ENUMS.get(value["enum"])
        if enum is None:
            raise UndecodableEvent(f"unknown enum {value['enum']!r}")
        return enum(value["value"])
    if "datetime" in value:
        return datetime.fromisoformat(value["datetime"])
    if "bytes" in value:
        return base64.b64decode(value["bytes"])
    raise UndecodableEvent(f"not an encoded event part: {sorted(value)}")


def decode_event(value: JsonValue) -> InboundEvent:
    event = decode(value)
    if not isinstance(event, InboundEvent):
        raise UndecodableEvent(f"not an inbound event: {type(event).__name__}")
    return event
