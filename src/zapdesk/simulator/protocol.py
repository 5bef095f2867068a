"""The wire protocol between the simulator network and its client (the `simulator` engine): addresses and frames.

Both sides import this module, as a WhatsApp client and server share a protocol: the network speaks in JIDs
(`5511999990001@s.whatsapp.net`, `120363...@g.us`, `1234...@lid`) and epoch milliseconds, and the client turns
them into zapdesk's normalized events.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

USER_SERVER = "s.whatsapp.net"
GROUP_SERVER = "g.us"
LID_SERVER = "lid"


def user_jid(phone: str) -> str:
    return f"{phone}@{USER_SERVER}"


def group_jid(group_id: str) -> str:
    return group_id if group_id.endswith(f"@{GROUP_SERVER}") else f"{group_id}@{GROUP_SERVER}"


def lid_jid(lid: str) -> str:
    return f"{lid}@{LID_SERVER}"


def split_jid(jid: str) -> tuple[str, str]:
    """(`user`, `server`) of a JID; a bare number counts as a phone JID."""
    user, _, server = jid.partition("@")
    return user, server or USER_SERVER


def from_ms(milliseconds: int) -> datetime:
    return datetime.fromtimestamp(milliseconds / 1000, tz=UTC)


def new_business_message_id() -> str:
    """The format WhatsApp Web gives its own messages (`3EB0` + hex)."""
    return "3EB0" + secrets.token_hex(10).upper()


def new_phone_message_id() -> str:
    """The format phones give theirs (32 upper-case hex digits)."""
    return secrets.token_hex(16).upper()


class _Frame(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


# ---- message content (also what the control API shows for a customer phone's messages) ----------------------

MediaKindName = Literal["image", "audio", "voice", "video", "video_note", "document", "sticker"]


class TextBody(_Frame):
    type: Literal["text"] = "text"
    text: str
    forwarded: bool = False


class MediaBody(_Frame):
    type: Literal["media"] = "media"
    kind: MediaKindName
    mime: str
    url: str  # relative to the simulator's base URL
    file_name: str | None = None
    caption: str = ""
    size: int | None = None
    seconds: int | None = None
    forwarded: bool = False


class LocationBody(_Frame):
    type: Literal["location"] = "location"
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


class ContactBody(_Frame):
    type: Literal["contact"] = "contact"
    display_name: str
    vcard: str


class ReactionBody(_Frame):
    type: Literal["reaction"] = "reaction"
    target_id: str
    emoji: str  # "" removes the reaction


class UnsupportedBody(_Frame):
    type: Literal["unsupported"] = "unsupported"
    kind: str  # the protocol's name for it, e.g. pollCreationMessage


Body = Annotated[
    TextBody | MediaBody | LocationBody | ContactBody | ReactionBody | UnsupportedBody, Field(discriminator="type")
]


# ---- events a linked device receives (queued per business phone until acknowledged) --------------------------


class MessageEvent(_Frame):
    kind: Literal["message"] = "message"
    id: str
    chat: str  # JID of the conversation: the customer (`@s.whatsapp.net` or `@lid`) or a group (`@g.us`)
    sender: str  # JID of the author
    sender_alt: str | None = None  # the phone JID when `sender` is a LID
    push_name: str | None = None
    group_name: str | None = None
    from_me: bool = False  # typed on the business phone itself
    ts: int  # epoch milliseconds
    quoted_id: str | None = None
    body: Body


class ReceiptEvent(_Frame):
    kind: Literal["receipt"] = "receipt"
    chat: str
    ids: list[str]
    receipt: Literal["delivered", "read"]
    ts: int


class EditEvent(_Frame):
    kind: Literal["edit"] = "edit"
    chat: str
    id: str
    text: str
    ts: int


class RevokeEvent(_Frame):
    kind: Literal["revoke"] = "revoke"
    chat: str
    id: str
    ts: int


InboundEvent = Annotated[MessageEvent | ReceiptEvent | EditEvent | RevokeEvent, Field(discriminator="kind")]


# ---- frames on the link WebSocket -----------------------------------------------------------------------------


class HelloFrame(_Frame):
    """First client frame: resume `session`, or (without one) ask for a QR window, optionally a pairing code."""

    type: Literal["hello"] = "hello"
    session: str | None = None
    pairing_phone: str | None = None


class AckFrame(_Frame):
    """The client stored the event `seq`: the network may forget it."""

    type: Literal["ack"] = "ack"
    seq: int


ClientFrame = Annotated[HelloFrame | AckFrame, Field(discriminator="type")]


class QrFrame(_Frame):
    type: Literal["qr"] = "qr"
    code: str
    expires_at: int


class PairingCodeFrame(_Frame):
    type: Literal["pairing_code"] = "pairing_code"
    code: str
    expires_at: int


class QrExpiredFrame(_Frame):
    type: Literal["qr_expired"] = "qr_expired"


class ConnectedFrame(_Frame):
    type: Literal["connected"] = "connected"
    phone: str
    session: str


class LoggedOutFrame(_Frame):
    type: Literal["logged_out"] = "logged_out"
    reason: str


class ReplacedFrame(_Frame):
    type: Literal["replaced"] = "replaced"
    reason: str


class EventFrame(_Frame):
    type: Literal["event"] = "event"
    seq: int
    event: InboundEvent


ServerFrame = Annotated[
    QrFrame | PairingCodeFrame | QrExpiredFrame | ConnectedFrame | LoggedOutFrame | ReplacedFrame | EventFrame,
    Field(discriminator="type"),
]

CLIENT_FRAME: TypeAdapter[HelloFrame | AckFrame] = TypeAdapter(ClientFrame)
SERVER_FRAME: TypeAdapter[
    QrFrame | PairingCodeFrame | QrExpiredFrame | ConnectedFrame | LoggedOutFrame | ReplacedFrame | EventFrame
] = TypeAdapter(ServerFrame)
INBOUND_EVENT: TypeAdapter[MessageEvent | ReceiptEvent | EditEvent | RevokeEvent] = TypeAdapter(InboundEvent)

# Close codes the network uses on the link socket (anything else, or none, is a plain drop).
CLOSE_TRY_LATER = 1013


# ---- HTTP calls of a linked device (Authorization: Bearer <session>) -----------------------------------------


class MediaRef(_Frame):
    key: str
    kind: MediaKindName
    mime: str
    file_name: str | None = None
    seconds: int | None = None


class UploadResult(_Frame):
    key: str
    size: int


class SendRequest(_Frame):
    """A message from the business device; the same `id` sent twice is stored once."""

    id: str = Field(min_length=1, max_length=128)
    chat: str = Field(min_length=1)
    text: str = ""
    media: MediaRef | None = None
    quoted_id: str | None = None
    reaction: ReactionBody | None = None
    forwarded: bool = False
    edit: EditRequest | None = None
    revoke: str | None = Field(default=None, description="Delete this message of ours for everyone (its id).")


class EditRequest(_Frame):
    """Replace the text (or caption) of one of our own messages."""

    target_id: str = Field(min_length=1, max_length=128)
    text: str = Field(min_length=1)


class SendAccepted(_Frame):
    id: str
    timestamp: int


class ReadRequest(_Frame):
    chat: str
    ids: list[str] = Field(min_length=1)


class PresenceRequest(_Frame):
    chat: str
    typing: bool
