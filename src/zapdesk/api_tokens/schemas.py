"""API token JSON shapes: the token itself appears once, in the answer to its creation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from zapdesk.api.inputs import json_date_time
from zapdesk.auth.models import ApiToken, Scope


class ApiTokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    scopes: list[Scope] = Field(min_length=1, max_length=3)
    expires_at: Annotated[datetime, json_date_time] | None = Field(
        default=None, description="Leave out for a token that does not expire."
    )


class ApiTokenRead(BaseModel):
    id: int
    name: str
    prefix: str
    scopes: list[Scope]
    created_by_id: int
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken) -> ApiTokenRead:
        return cls(
            id=token.id,
            name=token.name,
            prefix=token.prefix,
            scopes=[Scope(scope) for scope in token.scopes],
            created_by_id=token.created_by_id,
            created_at=token.created_at,
            expires_at=token.expires_at,
            last_used_at=token.last_used_at,
            revoked_at=token.revoked_at,
        )


class ApiTokenCreated(ApiTokenRead):
    token: str = Field(description="Shown this once: store it now. Use it as `Authorization: Bearer <token>`.")
