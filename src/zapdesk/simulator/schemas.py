"""Request and response shapes of the simulator's control API (what tests, demos and the phone page call)."""

from __future__ import annotations

import base64
import binascii
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from zapdesk.simulator.protocol import Body, MediaKindName

MEDIA_KINDS: frozenset[str] = frozenset({"image", "audio", "voice", "video", "video_note", "document", "sticker"})

MessageKind = Literal[
    "text",
    "image",
    "audio",
    "voice",
    "video",
    "video_note",
    "document",
    "sticker",
    "location",
    "contact",
    "reaction",
    "edit",
    "revoke",
    "unsupported",
]


class ScanIn(BaseModel):
    code: str = Field(min_length=1, description="The QR string zapdesk shows (`2@...`).")
    phone: str = Field(min_length=1, description="The business phone that scans it, international digits.")


class PairIn(BaseModel):
    pairing_code: str = Field(min_length=8, max_length=9, description="`ABCD-EFGH`, dash optional.")
    phone: str = Field(min_length=1, description="Must be the number the pairing code was asked for.")


class Linked(BaseModel):
    phone: str


class MediaIn(BaseModel):
    kind: MediaKindName | None = None
    mime: str = Field(min_length=3, max_length=127)
    file_name: str | None = Field(default=None, max_length=255)
    data_base64: str
    seconds: int | None = Field(default=None, ge=0, description="Length of audio or video.")

    def decode(self) -> bytes:
        try:
            return base64.b64decode(self.data_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("media.data_base64 is not valid base64") from exc


class LocationIn(BaseModel):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    name: str | None = None
    address: str | None = None


class ContactIn(BaseModel):
    display_name: str = Field(min_length=1)
    phone: str | None = None
    vcard: str | None = None

    def as_vcard(self) -> str:
        if self.vcard:
            return self.vcard
        telephone = f"TEL;type=CELL;waid={self.phone}:+{self.phone}\n" if self.phone else ""
        return f"BEGIN:VCARD\nVERSION:3.0\nFN:{self.display_name}\n{telephone}END:VCARD"


class ReactionIn(BaseModel):
    target_id: str = Field(min_length=1)
    emoji: str = Field(default="", max_length=16, description='"" removes an earlier reaction.')


class GroupIn(BaseModel):
    id: str = Field(min_length=5, max_length=64, pattern=r"^[0-9-]+(@g\.us)?$", description="e.g. 120363012345678901")
    name: str | None = Field(default=None, max_length=100)


class CustomerMessageIn(BaseModel):
    """Something a phone sends through the network.

    Normally a customer (`from`) writes to a business number (`to`). With `from_me` it was typed on the business
    phone (`from`) itself, to the customer `to`. `kind` is inferred from the fields given when omitted.
    """

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from", min_length=1, description="Who writes: international digits.")
    to: str = Field(min_length=1, description="Who receives: international digits.")
    kind: MessageKind | None = None
    id: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="Choose the message id; sending an id again makes the network deliver that message again.",
    )
    name: str | None = Field(default=None, max_length=100, description="The customer's WhatsApp name.")
    text: str | None = Field(default=None, max_length=65_536, description="The text, a caption or an edit's text.")
    media: MediaIn | None = None
    location: LocationIn | None = None
    contact: ContactIn | None = None
    reaction: ReactionIn | None = None
    target_id: str | None = Field(default=None, description="The message an edit or revoke changes.")
    quoted_id: str | None = None
    group: GroupIn | None = Field(default=None, description="Write inside this group instead of the private chat.")
    as_lid: bool = Field(default=False, description="Arrive as a LID address, the phone only in `sender_alt`.")
    from_me: bool = Field(default=False, description="Typed on the business phone `from` to the customer `to`.")
    unsupported: str = Field(default="pollCreationMessage", description="Protocol type of an unsupported message.")

    @model_validator(mode="after")
    def _resolve_kind(self) -> Self:
        if self.kind is None:
            self.kind = self._inferred_kind()
        kind = self.kind
        required: dict[str, object] = {
            "location": self.location,
            "contact": self.contact,
            "reaction": self.reaction,
            "edit": self.target_id and self.text,
            "revoke": self.target_id,
            "text": self.text,
        }
        if kind in MEDIA_KINDS:
            if self.media is None:
                raise ValueError(f"a {kind} message needs `media`")
            if self.media.kind is None:
                self.media.kind = kind  # type: ignore[assignment]  # kind is one of MEDIA_KINDS here
            self.media.decode()
        elif kind in required and not required[kind]:
            raise ValueError(f"a {kind} message needs {_NEEDS[kind]}")
        return self

    def _inferred_kind(self) -> MessageKind:
        if self.media is not None:
            if self.media.kind is None:
                raise ValueError("give `kind` or `media.kind`")
            return self.media.kind
        for kind, value in (("location", self.location), ("contact", self.contact), ("reaction", self.reaction)):
            if value is not None:
                return kind  # type: ignore[return-value]  # literal names of MessageKind
        if self.text:
            return "text"
        raise ValueError("nothing to send: give `text`, `media`, `location`, `contact`, `reaction` or a `kind`")


_NEEDS = {
    "location": "`location`",
    "contact": "`contact`",
    "reaction": "`reaction`",
    "edit": "`target_id` and `text`",
    "revoke": "`target_id`",
    "text": "`text`",
}


class PostedMessage(BaseModel):
    id: str = Field(description="The message id (for an edit or revoke, the id of that protocol message).")
    duplicate: bool = Field(default=False, description="The id was known: the same message was delivered again.")


class PhoneMessage(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    from_: str = Field(serialization_alias="from")
    to: str
    chat: str = Field(description="The customer's phone or a group JID.")
    mine: bool = Field(description="Written by the phone whose list this is.")
    kind: str = Field(description="text, image, audio, voice, video, document, sticker, location, contact, ...")
    text: str = Field(description="The text or caption ('' for other kinds).")
    body: Body
    quoted_id: str | None
    state: Literal["sent", "delivered", "read"]
    timestamp: int = Field(description="Epoch milliseconds.")
    edited: bool
    revoked: bool
    forwarded: bool = Field(default=False, description="Shown as forwarded (Encaminhada).")


class PictureIn(BaseModel):
    mime: str = Field(default="image/jpeg", pattern=r"^image/[a-z0-9.+-]+$")
    data_base64: str = Field(min_length=4, max_length=3_000_000)


class PhoneMessages(BaseModel):
    items: list[PhoneMessage]
    typing: list[str] = Field(description="Business numbers typing to this phone right now.")


class ReadIn(BaseModel):
    ids: list[str] = Field(min_length=1, max_length=1000)


class ReadOut(BaseModel):
    read: list[str] = Field(description="Ids that became read (already read ones are left out).")


class RegistrationIn(BaseModel):
    on_whatsapp: bool = Field(description="False: the network refuses messages to this number (not on WhatsApp).")


class DropIn(BaseModel):
    offline_seconds: float = Field(default=0, ge=0, le=3600, description="Refuse reconnects for this long.")


class SessionAction(BaseModel):
    phone: str
    action: Literal["dropped", "logged_out", "replaced"]


class WaitingScan(BaseModel):
    window: str
    code: str
    expires_at: int
    codes_left: int
    pairing_phone: str | None
    pairing_code: str | None


class BusinessPhone(BaseModel):
    phone: str
    status: Literal["online", "offline", "logged_out"]
    linked_at: int
    queued: int = Field(description="Events waiting for the linked device.")


class NetworkStatus(BaseModel):
    waiting: list[WaitingScan]
    phones: list[BusinessPhone]
