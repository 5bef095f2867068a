"""The JSON shape of what the web UI needs to know about the server before anyone signs in."""

from __future__ import annotations

from pydantic import BaseModel, Field

from zapdesk.config import Environment


class Meta(BaseModel):
    version: str
    environment: Environment
    simulator_url: str | None = Field(description="Where the WhatsApp simulator page is; null when it is off.")
