"""The send API's JSON: which connection, which number, and what to send (text, a file by URL, or a template)."""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, model_validator

from zapdesk.api.inputs import NOT_BLANK, PhoneInput, WebAddress
from zapdesk.cloud.schemas import VariableValue
from zapdesk.connections.schemas import Name as ConnectionName
from zapdesk.messages.models import MessageStatus
from zapdesk.messages.schemas import MAX_BODY_LENGTH

# Validation context of a multipart request: its file is the thing to send.
WITH_FILE = {"with_file": True}

ClientId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


def _rules(schema: dict[str, Any]) -> None:
    """The schema says what the validator says (a null counts as left out, white space alone as no text): exactly
    one of `connection_id` and `connection`; something to send; a template sent without `media_url`."""

    def given(name: str, shape: dict[str, Any]) -> dict[str, Any]:
        return {"required": [name], "properties": {name: shape}}

    not_null = {"not": {"type": "null"}}
    some_text = {"type": "string", "pattern": NOT_BLANK}
    some_url = {"type": "string"}  # the property states the address's shape
    schema["allOf"] = [
        {"oneOf": [given("connection_id", not_null), given("connection", not_null)]},
        {"anyOf": [given("body", some_text), given("media_url", some_url), given("template", not_null)]},
        {"not": {"allOf": [given("template", not_null), given("media_url", some_url)]}},
    ]


class SendTemplate(BaseModel):
    """An approved Cloud API template; values may use {{name}}, {{phone}}, {{ticket}} and {{agent}}."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(min_length=1, max_length=512)]
    language: Annotated[str, StringConstraints(min_length=2, max_length=16)]
    header: dict[str, VariableValue] = Field(default_factory=dict, max_length=20)
    body: dict[str, VariableValue] = Field(default_factory=dict, max_length=100)


class SendMessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_rules)

    connection_id: int | None = Field(default=None, ge=1, description="The connection, by id…")
    connection: ConnectionName | None = Field(default=None, description="…or by name (e.g. `Vendas`).")
    number: PhoneInput
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] | None = Field(
        default=None, description="The contact's name, used when the number is new to zapdesk."
    )
    body: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_BODY_LENGTH)] = Field(
        default="", description="The text (a file's caption, with `media_url` or a `media` file)."
    )
    media_url: WebAddress | None = Field(
        default=None, description="An http(s) URL zapdesk downloads and sends as a file."
    )
    file_name: Annotated[str, StringConstraints(max_length=255)] | None = None
    template: SendTemplate | None = None
    client_id: ClientId | None = Field(
        default=None, description="Your id for this message: sending it again returns the first one, unsent again."
    )

    @model_validator(mode="after")
    def _one_connection_and_something_to_send(self, info: ValidationInfo) -> Self:
        if (self.connection_id is None) == (self.connection is None):
            raise ValueError("give either connection_id or connection (its name)")
        with_file = bool(info.context and info.context.get("with_file"))
        if not (self.body or self.media_url or self.template or with_file):
            raise ValueError("give body, media_url, a media file or a template")
        if self.template is not None and self.media_url:
            raise ValueError("a template is sent alone, without media_url")
        return self


class SendMessageOut(BaseModel):
    message_id: int
    ticket_id: int
    contact_id: int
    status: MessageStatus
    created: bool = Field(description="False when `client_id` named a message sent before (that one is returned).")
