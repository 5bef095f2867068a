"""Connection JSON shapes: what the API accepts and returns, and what `connection.*` events carry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from zapdesk.api.inputs import SAYS_SOMETHING, IdRef, PatchModel, PhoneInput, trimmed
from zapdesk.connections.automation import ConnectionAutomation
from zapdesk.connections.models import ConnectionStatus, Provider
from zapdesk.templates.engine import TemplateText

Name = Annotated[str, Field(min_length=1, max_length=80, json_schema_extra=SAYS_SOMETHING), trimmed]
AutomaticText = Annotated[TemplateText, Field(max_length=4096)]
QueueIds = Annotated[list[IdRef], Field(max_length=100)]


class ConnectionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    provider: Provider = Provider.WHATSAPP
    is_default: StrictBool = False
    greeting_message: AutomaticText | None = None
    farewell_message: AutomaticText | None = None
    send_read_receipts: StrictBool = True
    queue_ids: QueueIds = Field(default_factory=list)
    automation: ConnectionAutomation = Field(default_factory=ConnectionAutomation)


class ConnectionUpdate(PatchModel):
    """Only the fields present change; `null` removes the greeting or the farewell."""

    nullable = frozenset({"greeting_message", "farewell_message"})

    name: Name | None = None
    is_default: StrictBool | None = None
    greeting_message: AutomaticText | None = None
    farewell_message: AutomaticText | None = None
    send_read_receipts: StrictBool | None = None
    queue_ids: QueueIds | None = None
    automation: ConnectionAutomation | None = Field(default=None, description="Replaces every section at once.")


class ConnectionProfile(BaseModel):
    display_name: str | None = None
    quality_rating: str | None = Field(default=None, description="Cloud API: GREEN, YELLOW, RED or UNKNOWN.")
    messaging_limit: str | None = Field(default=None, description="Cloud API: e.g. TIER_1K.")


class ConnectionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    provider: Provider
    status: ConnectionStatus
    status_reason: str | None
    status_changed_at: datetime
    phone: str | None
    profile: ConnectionProfile | None
    is_default: bool
    greeting_message: str | None
    farewell_message: str | None
    send_read_receipts: bool = Field(description="Opening a ticket marks the customer's messages read on WhatsApp.")
    queue_ids: list[int] = Field(description="In menu order.")
    automation: ConnectionAutomation
    banned_until: datetime | None
    engine: str | None = Field(
        description="The program that ran its session last: zapdesk-wa, neonize or simulator (null: never ran)."
    )
    delivery_after_commit: bool | None = Field(
        description="True when that engine tells WhatsApp a message arrived only after zapdesk stored it."
    )
    created_at: datetime
    updated_at: datetime


class ConnectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # To link with an 8-character code typed on the phone instead of a QR code.
    phone: PhoneInput | None = None


class QrOut(BaseModel):
    code: str
    image: str = Field(description="The QR code as an SVG data URL.")
    expires_at: datetime | None


class PairingCodeOut(BaseModel):
    code: str
    expires_at: datetime | None
