"""The normalized events every engine emits and the messages it sends: our types, never a library's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class EngineState(StrEnum):
    """Live session states; the same names as a connection's stored status."""

    STARTING = "STARTING"
    QR = "QR"
    CONNECTED = "CONNECTED"
    RECONNECTING = "RECONNECTING"
    QR_EXPIRED = "QR_EXPIRED"
    LOGGED_OUT = "LOGGED_OUT"
    REPLACED = "REPLACED"
    BANNED = "BANNED"
    OUTDATED = "OUTDATED"
    FAILED = "FAILED"
    STOPPED = "STOPPED"


# States that wait for a person: never reconnected automatically.
TERMINAL_STATES = frozenset(
    {
        EngineState.QR_EXPIRED,
        EngineState.LOGGED_OUT,
        EngineState.REPLACED,
        EngineState.BANNED,
        EngineState.OUTDATED,
        EngineState.FAILED,
        EngineState.STOPPED,
    }
)


class MediaKind(StrEnum):
    IMAGE = "image"
    AUDIO = "audio"
    VOICE = "voice"
    VIDEO = "video"
    VIDEO_NOTE = "video_note"  # a round video recorded in the chat (WhatsApp's "ptv")
    DOCUMENT = "document"
    STICKER = "sticker"


class ReceiptKind(StrEnum):
    SENT = "sent"  # the network took it (the Cloud API reports this after accepting a send)
    DELIVERED = "delivered"
    READ = "read"
    PLAYED = "played"
    FAILED = "failed"  # it will not arrive: `Receipt.error` says why


# How every engine writes the addresses that are not a phone number: the group's id or the person's LID (digits),
# then this suffix. A phone number is written as its international digits alone.
GROUP_SUFFIX = "@g.us"
LID_SUFFIX = "@lid"


def group_address(group_id: str) -> str:
    return group_id if group_id.endswith(GROUP_SUFFIX) else group_id + GROUP_SUFFIX


def lid_address(lid: str) -> str:
    return lid if lid.endswith(LID_SUFFIX) else lid + LID_SUFFIX


@dataclass(frozen=True, slots=True)
class Chat:
    """Where a message lives: a person (international digits, or `<lid>@lid` while WhatsApp hides the number) or a
    group (`<group id>@g.us`)."""

    address: str
    is_group: bool = False
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Sender:
    """Who wrote: the phone number when known, the LID (digits) when WhatsApp gives one, and the name they chose."""

    phone: str | None
    lid: str | None = None
    push_name: str | None = None

    @property
    def address(self) -> str | None:
        """How to name this person back to WhatsApp: their number, else `<lid>@lid`."""
        if self.phone:
            return self.phone
        return lid_address(self.lid) if self.lid else None


# ---- content -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextContent:
    text: str


@dataclass(frozen=True, slots=True)
class MediaContent:
    """A file and what came with it. Engines hand over the message at once with `ref`, their handle to download
    the file afterwards (`Engine.download`): the message is stored first, the file follows."""

    kind: MediaKind
    mime: str
    data: bytes | None  # the file, when the engine already has it
    file_name: str | None = None
    caption: str = ""
    size: int | None = None
    error: str | None = None  # why there is neither `data` nor `ref`
    seconds: int | None = None
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class LocationContent:
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True)
class ContactCardContent:
    display_name: str
    vcard: str


@dataclass(frozen=True, slots=True)
class ReactionContent:
    target_id: str
    emoji: str  # empty string: the reaction was removed


@dataclass(frozen=True, slots=True)
class UnsupportedContent:
    kind: str  # the protocol's own name for it, shown to agents as "unsupported: <kind>"


Content = TextContent | MediaContent | LocationContent | ContactCardContent | ReactionContent | UnsupportedContent


# ---- events ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QrCode:
    code: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class PairingCode:
    code: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class AccountProfile:
    """What the network says about our own number (the Cloud API tells it when credentials are checked)."""

    display_name: str | None = None
    quality_rating: str | None = None  # GREEN, YELLOW, RED, UNKNOWN
    messaging_limit: str | None = None  # e.g. TIER_1K


@dataclass(frozen=True, slots=True)
class StateChanged:
    state: EngineState
    reason: str | None = None
    # Once paired: our own number and what to resume with next time (a device JID, a session token).
    phone: str | None = None
    session_ref: str | None = None
    until: datetime | None = None  # BANNED
    profile: AccountProfile | None = None
    # FAILED only: False when trying again cannot help until a person acts (credentials refused).
    retryable: bool = True


class AssociationKind(StrEnum):
    """How a message belongs to an earlier one (WhatsApp's `messageAssociation`)."""

    BETTER_COPY = "better_copy"  # the same photo or video in HD: it replaces the earlier one's file
    ALBUM_ITEM = "album_item"  # one photo or video of the album the earlier one opened


@dataclass(frozen=True, slots=True)
class Association:
    kind: AssociationKind
    parent_id: str  # the earlier message's external id
    index: int | None = None  # its place in an album, when WhatsApp gives it


@dataclass(frozen=True, slots=True)
class MessageReceived:
    external_id: str
    chat: Chat
    sender: Sender
    from_me: bool  # typed on the business phone itself
    timestamp: datetime
    content: Content
    quoted_id: str | None = None
    association: Association | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    """The network's news about messages we sent. `external_ids` may name one message by several ids (the
    Cloud API's own id and the one we chose), so it is found whichever one is stored yet."""

    chat: Chat
    external_ids: tuple[str, ...]
    kind: ReceiptKind
    timestamp: datetime
    error: str | None = None  # FAILED: why, readable


@dataclass(frozen=True, slots=True)
class MessageEdited:
    chat: Chat
    external_id: str
    text: str
    timestamp: datetime


@dataclass(frozen=True, slots=True)
class MessageRevoked:
    chat: Chat
    external_id: str
    timestamp: datetime


EngineEvent = QrCode | PairingCode | StateChanged | MessageReceived | Receipt | MessageEdited | MessageRevoked


# ---- outgoing ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuotedMessage:
    external_id: str
    sender_phone: str | None  # its author's `Sender.address` (a number, or `<lid>@lid`); None: our own message
    text: str = ""


@dataclass(frozen=True, slots=True)
class OutgoingMedia:
    kind: MediaKind
    data: bytes
    mime: str
    file_name: str | None = None
    seconds: int | None = None  # a voice note's (or audio's) duration, shown before it is played


@dataclass(frozen=True, slots=True)
class TemplateParameter:
    text: str
    name: str | None = None  # set for templates with named parameters ({{first_name}}), else positional


@dataclass(frozen=True, slots=True)
class OutgoingTemplate:
    """A message template approved by Meta, with its variables filled; `OutgoingMessage.text` is its rendering,
    what engines without templates send instead."""

    name: str
    language: str
    header: tuple[TemplateParameter, ...] = ()
    body: tuple[TemplateParameter, ...] = ()


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    # Chosen before sending and stored first, so a resend after a crash reuses it and is recognised as the same.
    message_id: str
    text: str = ""  # the caption when media is set
    media: OutgoingMedia | None = None
    quoted: QuotedMessage | None = None
    template: OutgoingTemplate | None = None
    forwarded: bool = False  # shown as "Encaminhada" on the phone


@dataclass(frozen=True, slots=True)
class SendResult:
    external_id: str
    timestamp: datetime


@dataclass(frozen=True, slots=True)
class SessionTarget:
    """How to start: resume a stored session, or open a new QR window (optionally asking for a pairing code)."""

    session_ref: str | None = None
    pairing_phone: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
