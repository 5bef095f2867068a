"""The JSON shapes of contacts, in and out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from zapdesk.api.inputs import SAYS_SOMETHING, PatchModel, PhoneInput, json_integer, trimmed
from zapdesk.contacts.models import Contact, FieldType

Name = Annotated[str, Field(min_length=1, max_length=160, json_schema_extra=SAYS_SOMETHING), trimmed]
FieldKey = Annotated[str, Field(min_length=1, max_length=64, json_schema_extra=SAYS_SOMETHING), trimmed]
# Typed by the field's definition (`/api/contact-fields`): numbers may come as JSON numbers; all are stored as text.
FieldValue = Annotated[str, Field(max_length=1000)] | int | float


def _field_names(schema: dict[str, Any]) -> None:
    # Pydantic states the names' pattern as `patternProperties`, which lets other names through unchecked: every
    # name must have it, so it belongs in `propertyNames`, and every value is a `FieldValue`.
    for pattern, values in schema.pop("patternProperties", {}).items():
        schema["additionalProperties"] = values
        schema.setdefault("propertyNames", {})["pattern"] = pattern


CustomFields = Annotated[dict[FieldKey, FieldValue], Field(max_length=50, json_schema_extra=_field_names)]
PushName = Annotated[str, Field(max_length=160)]
PictureUrl = Annotated[str, Field(max_length=2048)]
ContactNotes = Annotated[str, Field(max_length=5000)]


class ContactRead(BaseModel):
    id: int
    name: str
    phone: str
    push_name: str | None
    profile_picture_url: str | None
    custom_fields: dict[str, str]
    is_group: bool
    notes: str = Field(description="What the team knows about this person.")
    tag_ids: list[int] = Field(description="The contact's tags (see /api/tags), by id.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, contact: Contact) -> ContactRead:
        return cls(
            id=contact.id,
            name=contact.name,
            phone=contact.phone,
            push_name=contact.push_name,
            profile_picture_url=contact.profile_picture_url,
            custom_fields={str(key): str(value) for key, value in contact.custom_fields.items()},
            is_group=contact.is_group,
            notes=contact.notes or "",
            tag_ids=sorted(tag.id for tag in contact.tags),
            created_at=contact.created_at,
            updated_at=contact.updated_at,
        )


class ContactCreate(BaseModel):
    """A person (groups come from WhatsApp, never typed in)."""

    model_config = ConfigDict(extra="forbid")

    # Normalized by the service to international digits (`+55 (11) 98888-7777` → `5511988887777`).
    phone: PhoneInput
    # Defaults to the phone number when left out.
    name: Name | None = None
    push_name: PushName | None = None
    profile_picture_url: PictureUrl | None = None
    custom_fields: CustomFields = Field(default_factory=dict)
    notes: ContactNotes = ""


class ContactUpdate(PatchModel):
    """Only the fields present in the request change; `null` clears push_name and profile_picture_url."""

    nullable = frozenset({"push_name", "profile_picture_url"})

    name: Name | None = None
    phone: PhoneInput | None = None
    push_name: PushName | None = None
    profile_picture_url: PictureUrl | None = None
    custom_fields: CustomFields | None = None
    notes: ContactNotes | None = None


FieldLabel = Annotated[str, Field(min_length=1, max_length=80, json_schema_extra=SAYS_SOMETHING), trimmed]
FieldSlug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$"), trimmed]


class ContactFieldRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str = Field(description="Where the value lives in a contact's `custom_fields`.")
    label: str
    type: FieldType
    position: int


class ContactFieldCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: FieldLabel
    type: FieldType = FieldType.TEXT
    key: FieldSlug | None = Field(default=None, description="Made from the label when left out.")
    position: Annotated[int, Field(ge=0, le=1000), json_integer] = 0


class ContactFieldUpdate(PatchModel):
    label: FieldLabel | None = None
    position: Annotated[int, Field(ge=0, le=1000), json_integer] | None = None
