"""Connection JSON shapes: what the API accepts and returns, and what `connection.*` events carry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from zapdesk.api.inputs import IdRef
from zapdesk.connections.automation import ConnectionAutomation
from zapdesk.connections.models import ConnectionStatus, Provider
from zapdesk.templates.engine import TemplateText

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
OptionalText = Annotated[TemplateText | None, Field(default=None, max_length=4096)]


class ConnectionCreate(BaseModel):
    name: Name
    provider: Provider = Provider.WHATSAPP
    is_default: bool = False
    greeting_message: OptionalText = None
    farewell_message: OptionalText = None
    queue_ids: list[IdRef] = Field(default_factory=list, max_length=100)
    automation: ConnectionAutomation = Field(default_factory=ConnectionAutomation)


class ConnectionUpdate(BaseModel):
    name: Name | None = None
    is_default: bool | None = None
    greeting_message: OptionalText = None
    farewell_message: OptionalText = None
    queue_ids: list[IdRef] | None = Field(default=None, max_length=100)
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
    phone: Annotated[
        str | None,
        Field(
            default=None,
            description="International number of the phone to link with an 8-character code instead of a QR code.",
        ),
    ] = None


class QrOut(BaseModel):
    code: str
    image: str = Field(description="The QR code as an SVG data URL.")
    expires_at: datetime | None


class PairingCodeOut(BaseModel):
    code: str
    expires_at: datetime | None
