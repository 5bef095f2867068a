"""The JSON shapes of signing in, refreshing and signing out."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from zapdesk.users.schemas import UserRead, normalize_email

# Sign-in does not validate the address format: an unknown or malformed email gets the same 401.
LoginEmail = Annotated[str, StringConstraints(min_length=1, max_length=254), AfterValidator(normalize_email)]


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: LoginEmail
    password: str = Field(min_length=1, max_length=1024)


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=1, max_length=4096)


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.")
    user: UserRead
