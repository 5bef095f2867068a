"""Meta's webhook notifications for WhatsApp, read into our own events: pure, tested without a network.

A notification (`{"object": "whatsapp_business_account", "entry": [{"changes": [{"value": …}]}]}`) carries, per
business phone number, received messages, statuses of messages we sent, and errors. Messages become
`MessageReceived`, statuses `Receipt`; media arrive as ids, downloaded afterwards with the access token
(`with_media`). Nothing is dropped: a kind we do not know is kept as unsupported.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from zapdesk.engine.events import (
    Chat,
    ContactCardContent,
    Content,
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

log = logging.getLogger(__name__)

# The ids zapdesk chooses for what it sends; Meta echoes them back as `biz_opaque_callback_data`.
OWN_ID_PREFIX = "zapdesk."

_STATUS_KINDS = {
    "sent": ReceiptKind.SENT,
    "delivered": ReceiptKind.DELIVERED,
    "read": ReceiptKind.READ,
    "failed": ReceiptKind.FAILED,
}
_MEDIA_TYPES = {
    "image": MediaKind.IMAGE,
    "video": MediaKind.VIDEO,
    "audio": MediaKind.AUDIO,
    "document": MediaKind.DOCUMENT,
    "sticker": MediaKind.STICKER,
}


# ---- Meta's shapes -------------------------------------------------------------------------------------------


class _Shape(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class ErrorData(_Shape):
    details: str = ""


class WebhookError(_Shape):
    code: int | None = None
    title: str = ""
    message: str = ""
    error_data: ErrorData | None = None

    @property
    def readable(self) -> str:
        text = self.title or self.message or "Unknown error"
        details = self.error_data.details if self.error_data else ""
        if details and details not in text:
            text = f"{text}: {details}"
        return f"{text} ({self.code})" if self.code is not None else text


class Metadata(_Shape):
    display_phone_number: str = ""
    phone_number_id: str


class Profile(_Shape):
    name: str | None = None


class WebhookContact(_Shape):
    wa_id: str
    profile: Profile | None = None


class Text(_Shape):
    body: str = ""


class Media(_Shape):
    id: str
    mime_type: str = "application/octet-stream"
    caption: str = ""
    filename: str | None = None
    voice: bool = False


class Location(_Shape):
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


class CardName(_Shape):
    formatted_name: str = ""


class CardPhone(_Shape):
    phone: str = ""
    wa_id: str | None = None
    type: str | None = None


class Card(_Shape):
    name: CardName = Field(default_factory=CardName)
    phones: list[CardPhone] = Field(default_factory=list)


class Reaction(_Shape):
    message_id: str
    emoji: str | None = None


class Reply(_Shape):
    id: str = ""
    title: str = ""
    description: str | None = None


class Interactive(_Shape):
    type: str
    button_reply: Reply | None = None
    list_reply: Reply | None = None


class Button(_Shape):
    text: str = ""
    payload: str | None = None


class Context(_Shape):
    id: str | None = None


class WebhookMessage(_Shape):
    from_: str = Field(alias="from")
    id: str
    timestamp: str
    type: str
    context: Context | None = None
    text: Text | None = None
    image: Media | None = None
    video: Media | None = None
    audio: Media | None = None
    document: Media | None = None
    sticker: Media | None = None
    location: Location | None = None
    contacts: list[Card] | None = None
    reaction: Reaction | None = None
    interactive: Interactive | None = None
    button: Button | None = None
    errors: list[WebhookError] = Field(default_factory=list)


class Status(_Shape):
    id: str
    status: str
    timestamp: str
    recipient_id: str
    biz_opaque_callback_data: str | None = None
    errors: list[WebhookError] = Field(default_factory=list)


class Value(_Shape):
    metadata: Metadata
    contacts: list[WebhookContact] = Field(default_factory=list)
    messages: list[WebhookMessage] = Field(default_factory=list)
    statuses: list[Status] = Field(default_factory=list)
    errors: list[WebhookError] = Field(default_factory=list)


class Change(_Shape):
    field: str
    value: Value | None = None


class Entry(_Shape):
    id: str = ""
    changes: list[Change] = Field(default_factory=list)


class Notification(_Shape):
    object: str
    entry: list[Entry] = Field(default_factory=list)


class UnreadableNotification(ValueError):
    pass


# ---- into our events -----------------------------------------------------------------------------------------

InboundEvent = MessageReceived | Receipt


@dataclass(slots=True)
class NumberNews:
    """What one notification says for one business phone number, in Meta's order."""

    phone_number_id: str
    events: list[InboundEvent] = field(default_factory=list)
    media_ids: dict[str, str] = field(default_factory=dict)  # message id -> Meta's media id, still to download
    errors: list[str] = field(default_factory=list)


def parse_notification(body: bytes) -> list[NumberNews]:
    """The news of a notification body, per business phone number (only the `messages` field is ours)."""
    try:
        notification = Notification.model_validate_json(body)
    except ValidationError as exc:
        raise UnreadableNotification(f"not a WhatsApp webhook notification: {exc.errors()[0]['msg']}") from exc
    by_number: dict[str, NumberNews] = {}
    for entry in notification.entry:
        for change in entry.changes:
            if change.field != "messages" or change.value is None:
                continue
            value = change.value
            news = by_number.setdefault(value.metadata.phone_number_id, NumberNews(value.metadata.phone_number_id))
            _read_value(value, news)
    return list(by_number.values())


def _read_value(value: Value, news: NumberNews) -> None:
    names = {contact.wa_id: contact.profile.name for contact in value.contacts if contact.profile}
    for message in value.messages:
        event, media_id = message_event(message, names.get(message.from_))
        news.events.append(event)
        if media_id is not None:
            news.media_ids[message.id] = media_id
    for status in value.statuses:
        receipt = status_receipt(status)
        if receipt is not None:
            news.events.append(receipt)
    news.errors.extend(error.readable for error in value.errors)


def message_event(message: WebhookMessage, push_name: str | None) -> tuple[MessageReceived, str | None]:
    """The event of one received message, and the id of its media when it has one to download."""
    content, media_id = _content(message)
    quoted = message.context.id if message.context and not isinstance(content, ReactionContent) else None
    event = MessageReceived(
        external_id=message.id,
        chat=Chat(address=message.from_),
        sender=Sender(phone=message.from_, push_name=push_name),
        from_me=False,
        timestamp=from_epoch(message.timestamp),
        content=content,
        quoted_id=quoted,
    )
    return event, media_id


def _content(message: WebhookMessage) -> tuple[Content, str | None]:
    kind = message.type
    media = getattr(message, kind, None) if kind in _MEDIA_TYPES else None
    if isinstance(media, Media):
        media_kind = MediaKind.VOICE if kind == "audio" and media.voice else _MEDIA_TYPES[kind]
        content = MediaContent(
            kind=media_kind,
            mime=media.mime_type.split(";")[0].strip(),
            data=None,
            file_name=media.filename,
            caption=media.caption,
            error="not downloaded yet",
        )
        return content, media.id
    if kind == "text" and message.text is not None:
        return TextContent(message.text.body), None
    if kind == "location" and message.location is not None:
        place = message.location
        return LocationContent(place.latitude, place.longitude, name=place.name, address=place.address), None
    if kind == "contacts" and message.contacts:
        card = message.contacts[0]
        return ContactCardContent(display_name=card.name.formatted_name, vcard=vcard_of(card)), None
    if kind == "reaction" and message.reaction is not None:
        return ReactionContent(target_id=message.reaction.message_id, emoji=message.reaction.emoji or ""), None
    if kind == "interactive" and message.interactive is not None:
        reply = message.interactive.button_reply or message.interactive.list_reply
        if reply is not None:
            return TextContent(reply.title), None
    if kind == "button" and message.button is not None:
        return TextContent(message.button.text), None
    reason = "; ".join(error.readable for error in message.errors)
    return UnsupportedContent(kind=f"{kind} ({reason})" if reason else kind), None


def vcard_of(card: Card) -> str:
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"FN:{card.name.formatted_name}"]
    for phone in card.phones:
        wa_id = f";waid={phone.wa_id}" if phone.wa_id else ""
        lines.append(f"TEL;type={phone.type or 'CELL'}{wa_id}:{phone.phone}")
    lines.append("END:VCARD")
    return "\n".join(lines)


def status_receipt(status: Status) -> Receipt | None:
    """The receipt a status stands for; None for statuses we do not track (a message deleted by the business)."""
    kind = _STATUS_KINDS.get(status.status)
    if kind is None:
        log.info("status %r of message %s ignored", status.status, status.id)
        return None
    ids: tuple[str, ...] = (status.id,)
    own = status.biz_opaque_callback_data
    if own and own.startswith(OWN_ID_PREFIX):
        ids += (own,)  # found even before the send's outcome (and Meta's id) was stored
    error = "; ".join(error.readable for error in status.errors) or None
    return Receipt(
        chat=Chat(address=status.recipient_id),
        external_ids=ids,
        kind=kind,
        timestamp=from_epoch(status.timestamp),
        error=error if kind is ReceiptKind.FAILED else None,
    )


def from_epoch(value: str) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return datetime.now(UTC)


Download = Callable[[str], Awaitable[tuple[bytes | None, str | None]]]


async def with_media(news: NumberNews, download: Download) -> list[InboundEvent]:
    """The events with their media downloaded (or the reason why not, kept on the message)."""
    events: list[InboundEvent] = []
    for event in news.events:
        media_id = news.media_ids.get(event.external_id) if isinstance(event, MessageReceived) else None
        if media_id is not None and isinstance(event, MessageReceived) and isinstance(event.content, MediaContent):
            data, error = await download(media_id)
            content = dataclasses.replace(event.content, data=data, error=error, size=len(data) if data else None)
            event = dataclasses.replace(event, content=content)
        events.append(event)
    return events
