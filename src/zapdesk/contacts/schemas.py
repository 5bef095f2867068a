"""The JSON shapes of contacts, in and out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from zapdesk.api.inputs import PatchModel
from zapdesk.contacts.models import Contact, FieldType

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=160)]
RawPhone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
FieldKey = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
# Typed by the field's definition (`/api/contact-fields`): numbers may come as JSON numbers; all are stored as text.
FieldValue = Annotated[str, StringConstraints(max_length=1000)] | int | float
CustomFields = Annotated[dict[FieldKey, FieldValue], Field(max_length=50)]
ContactNotes = Annotated[str, StringConstraints(max_length=5000)]


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
    model_config = ConfigDict(extra="forbid")

    # Normalized by the service to international digits (`+55 (11) 98888-7777` → `5511988887777`).
    phone: RawPhone
    # Defaults to the phone number when left out.
    name: Name | None = None
    push_name: Annotated[str, StringConstraints(max_length=160)] | None = None
    profile_picture_url: Annotated[str, StringConstraints(max_length=2048)] | None = None
    custom_fields: CustomFields = Field(default_factory=dict)
    is_group: bool = False
    notes: ContactNotes = ""


class ContactUpdate(PatchModel):
    """Only the fields present in the request change; `null` clears push_name and profile_picture_url."""

    nullable = frozenset({"push_name", "profile_picture_url"})

    name: Name | None = None
    phone: RawPhone | None = None
    push_name: Annotated[str, StringConstraints(max_length=160)] | None = None
    profile_picture_url: Annotated[str, StringConstraints(max_length=2048)] | None = None
    custom_fields: CustomFields | None = None
    is_group: bool | None = None
    notes: ContactNotes | None = None


FieldLabel = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
FieldSlug = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z][a-z0-9_]{0,63}$")]


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
    position: Annotated[int, Field(ge=0, le=1000)] = 0


class ContactFieldUpdate(PatchModel):
    label: FieldLabel | None = None
    position: Annotated[int, Field(ge=0, le=1000)] | None = None
