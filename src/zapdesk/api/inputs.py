"""Input shapes every router shares: ids, text a person types, and PATCH bodies where absent fields stay as they are.

Every rule the server applies to an input is stated in its schema, so the OpenAPI document says exactly what is
accepted: a pattern for text that must not be blank, lengths counted on what the client sends, no `null` where
null is refused.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar, Self
from zoneinfo import available_timezones

from fastapi import File, Path
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    JsonValue,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from zapdesk.kit.paging import MAX_ID


def _json_integer(value: object) -> object:
    # JSON Schema's integer is a number with no fraction (so 3.0 is one); Pydantic alone would also take "3".
    if isinstance(value, str | bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


# What `type: integer` means in a JSON body.
json_integer = BeforeValidator(_json_integer)


def _json_date_time(value: object) -> object:
    # JSON Schema's date-time is a string; Pydantic alone would also take a number of seconds since 1970.
    if not isinstance(value, str):
        raise PydanticCustomError("datetime_type", "Input should be a valid datetime")
    return value


# What `format: date-time` means in a JSON body.
json_date_time = BeforeValidator(_json_date_time)

_RFC3339_START = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}")


def _query_date_time(value: object) -> object:
    # In a query every value is a string; Pydantic would read "0.5" as seconds since 1970.
    if isinstance(value, str) and not _RFC3339_START.match(value):
        raise PydanticCustomError("datetime_parsing", "Input should be a date and time like 2026-01-31T09:00:00Z")
    return value


# What `format: date-time` means in a query.
query_date_time = BeforeValidator(_query_date_time)

ResourceId = Annotated[int, Path(ge=1, le=MAX_ID, description="The resource's id.")]


# Every IANA time zone this machine knows: a zone's name is one of these. The schema gives a name's shape, not the
# list: the list is the machine's tzdata (600 names that differ between machines, and would make every generated
# client differ), so a well-formed name no zone has is a 422 the operation describes.
TIME_ZONE_NAMES = frozenset(available_timezones())
TIME_ZONE_SHAPE = r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}$"


def file_part(description: str) -> Any:
    """A multipart file field: an empty file is refused (415), so the schema says it has at least one byte."""
    return File(description=description, json_schema_extra={"minLength": 1})


# The same bound for ids inside request bodies (e.g. `queue_ids`).
IdRef = Annotated[int, Field(ge=1, le=MAX_ID), json_integer]

# No text may hold NUL (`api.text_input` refuses it and says so in the schema).
NO_NUL = r"^[^\x00]*$"
# Text that must say something: at least one character that is not white space. Checked by `trimmed` below
# (so that a blank name gets the error a missing one gets); the schema states it with this pattern.
NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"
SAYS_SOMETHING: dict[str, JsonValue] = {"pattern": NOT_BLANK}

# An absolute http(s) URL with a host, as `kit.addresses.check_url` requires: scheme, optional user info, a host
# name or IP address, optional port, then a path, query or fragment. That the host resolves (to a public address,
# unless private targets are allowed) and answers no pattern can say: the schema names it as a format of its own.
WEB_ADDRESS = r"^[Hh][Tt][Tt][Pp][Ss]?://([^/?#]*@)?([^/?#@:\[\]\s]+|\[[0-9A-Fa-f:.]+\])(:[0-9]*)?([/?#].*)?$"
WebAddress = Annotated[
    str,
    Field(min_length=8, max_length=2048, pattern=WEB_ADDRESS, json_schema_extra={"format": "web-address"}),
]


def _trimmed(value: str) -> str:
    kept = value.strip()
    if not kept:
        raise PydanticCustomError("string_too_short", "String should have at least 1 character", {"min_length": 1})
    return kept


# After the length checks, which count what the client sent: the white space around the text goes.
trimmed = AfterValidator(_trimmed)

# A phone number as people type it. No pattern can say which numbers a country's plan allows, so the schema names
# the rule as a format of its own; `zapdesk.kit.phones` applies it (422 `invalid_phone`).
PhoneInput = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        json_schema_extra={"format": "phone"},
        description=(
            "format phone: an international number with its country code, written with digits and optionally"
            " +, spaces, dots, dashes and brackets (e.g. +55 11 98888-7777), that the country's numbering plan"
            " allows (as libphonenumber knows it); a Brazilian mobile may leave out its ninth digit."
        ),
    ),
]


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

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        # `X | None = None` means "may be left out", not "may be null": only `nullable` fields say null.
        schema = handler(core_schema)
        for name, field in handler.resolve_ref_schema(schema).get("properties", {}).items():
            if name not in cls.nullable:
                _drop_null(field)
        return schema


def _drop_null(field: dict[str, Any]) -> None:
    field.pop("default", None)
    choices = [choice for choice in field.pop("anyOf", []) if choice != {"type": "null"}]
    if len(choices) == 1:
        field.update(choices[0])
    elif choices:
        field["anyOf"] = choices
