"""The JSON shapes of tags."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from zapdesk.api.inputs import PatchModel
from zapdesk.queues.schemas import Color
from zapdesk.tags.models import TAG_NAME_MAX

DEFAULT_COLOR = "#64748b"

TagName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TAG_NAME_MAX)]


class TagRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    color: str
    created_at: datetime


class TagCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: TagName
    color: Color = DEFAULT_COLOR


class TagUpdate(PatchModel):
    name: TagName | None = None
    color: Color | None = None
