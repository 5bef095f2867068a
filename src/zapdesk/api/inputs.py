"""Input shapes every router shares: ids in paths, and PATCH bodies where absent fields stay as they are."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Self

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, model_validator

# Ids are 64-bit in PostgreSQL; a larger number in a URL is simply an id that does not exist (and must not
# reach the driver, which would fail on it).
MAX_ID = 2**63 - 1

ResourceId = Annotated[int, Path(ge=1, le=MAX_ID, description="The resource's id.")]
# The same bound for ids inside request bodies (e.g. `queue_ids`).
IdRef = Annotated[int, Field(ge=1, le=MAX_ID)]


class PatchModel(BaseModel):
    """Declare every field as `X | None = None`; list in `nullable` those a client may clear with `null`."""

    model_config = ConfigDict(extra="forbid")

    nullable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _reject_null(self) -> Self:
        for name in sorted(self.model_fields_set - self.nullable):
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        """Only the fields the client sent."""
        return self.model_dump(exclude_unset=True)
