"""Dead letters as administrators see them: what arrived, on which connection, and why it could not be stored."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class DeadLetterOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    connection_id: int
    kind: str = Field(description="The event's type: MessageReceived, Receipt, MessageEdited or MessageRevoked.")
    external_id: str | None = Field(description="The WhatsApp id of the message it concerns, when it has one.")
    summary: str = Field(description="What arrived, in a line: the text, the media kind, the receipt's ids.")
    error: str = Field(description="Why ingest failed the last time.")
    attempts: int
    created_at: datetime
    updated_at: datetime


class RetryOut(BaseModel):
    stored: bool = Field(description="True: ingested, and the dead letter is gone. False: it failed again.")
    dead_letter: DeadLetterOut | None = Field(description="The dead letter with its new error, when it failed again.")
