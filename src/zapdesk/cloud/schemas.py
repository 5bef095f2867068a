"""Cloud API JSON shapes: credentials go in (write-only), what is safe to show comes out; templates."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

MetaId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{1,32}$")]
Secret = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1024)]


class CloudCredentialsIn(BaseModel):
    """Set or change a `cloud` connection's account. A secret left out keeps its stored value."""

    model_config = ConfigDict(extra="forbid")

    phone_number_id: MetaId
    business_account_id: MetaId
    access_token: Secret | None = Field(default=None, description="Write-only: never returned.")
    app_secret: Secret | None = Field(default=None, description="Write-only: signs Meta's webhook deliveries.")
    verify_token: Secret | None = Field(default=None, description="Write-only: answers Meta's webhook check.")


class CloudAccountOut(BaseModel):
    """What the UI shows of the account: the ids, which secrets are set, and where Meta must send webhooks."""

    connection_id: int
    phone_number_id: str
    business_account_id: str
    has_access_token: bool
    has_app_secret: bool
    has_verify_token: bool
    webhook_path: str = Field(description="Append to this server's public address for Meta's callback URL.")


TemplatePart = Literal["header", "body"]


class TemplateVariable(BaseModel):
    part: TemplatePart
    key: str = Field(description='"1", "2"… for positional parameters, or the name of a named one.')


class TemplateOut(BaseModel):
    name: str
    language: str
    category: str
    status: str
    header: str | None = Field(description="The header's text, with its {{placeholders}}.")
    body: str
    footer: str | None
    variables: list[TemplateVariable]


VariableValue = Annotated[str, StringConstraints(max_length=1024)]


class TemplateMessageCreate(BaseModel):
    """A template to send in a ticket. Values may use zapdesk's placeholders ({{name}}, {{phone}}, {{ticket}},
    {{agent}}), filled from the contact, ticket and agent."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(min_length=1, max_length=512)]
    language: Annotated[str, StringConstraints(min_length=2, max_length=16)]
    header: dict[str, VariableValue] = Field(default_factory=dict, max_length=20)
    body: dict[str, VariableValue] = Field(default_factory=dict, max_length=100)
    client_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None


class TemplatePreview(BaseModel):
    text: str = Field(description="The message as the customer will read it.")
