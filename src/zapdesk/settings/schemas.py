"""The JSON shapes of workspace settings."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, JsonValue

from zapdesk.settings.service import SettingValue


class SettingRead(BaseModel):
    key: str
    value: JsonValue
    default: JsonValue
    description: str
    value_schema: dict[str, Any] = Field(description="JSON Schema of the value (type, minimum, maximum).")

    @classmethod
    def of(cls, setting: SettingValue) -> SettingRead:
        key = setting.key
        return cls(
            key=key.name,
            value=setting.value,
            default=key.default_json(),
            description=key.description,
            value_schema=key.adapter.json_schema(),
        )


class SettingWrite(BaseModel):
    value: JsonValue = Field(description="The new value; its type depends on the key (see value_schema).")
