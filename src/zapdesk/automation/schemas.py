"""The JSON shapes of automation's own routes: previews of what a customer will read."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from zapdesk.api.inputs import IdRef
from zapdesk.templates.engine import TemplateText


class MenuPreviewRequest(BaseModel):
    """The connection form as it is being filled in (nothing is saved)."""

    model_config = ConfigDict(extra="forbid")

    greeting_message: Annotated[TemplateText, StringConstraints(max_length=4096)] | None = None
    queue_ids: list[IdRef] = Field(default_factory=list, max_length=100)


class Preview(BaseModel):
    text: str = Field(description="What the customer reads, variables filled for an example customer.")
