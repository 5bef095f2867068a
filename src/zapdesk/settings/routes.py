"""/api/settings: administrators read and change workspace settings, each at a path of its own.

Each known setting gets its own `PUT /api/settings/{its name}` whose body schema says exactly what its value may
be, so the OpenAPI document states every setting's type and limits.
"""

# No `from __future__ import annotations`: the routes are built in a loop, and FastAPI reads their annotations,
# which name each setting's own body model, as objects.

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, create_model

from zapdesk.api.deps import SessionDep
from zapdesk.settings import service
from zapdesk.settings.schemas import SettingRead
from zapdesk.settings.service import KNOWN_SETTINGS, SettingKey
from zapdesk.users.current import AdminUser

router = APIRouter(prefix="/settings", tags=["settings"])


@router.get("", response_model=list[SettingRead])
async def list_settings(_admin: AdminUser, session: SessionDep) -> list[SettingRead]:
    return [SettingRead.of(setting) for setting in await service.list_settings(session)]


def _add_put_route(key: SettingKey[Any]) -> None:
    body_model: type[BaseModel] = create_model(
        f"{''.join(part.title() for part in key.name.split('_'))}Write",
        __config__=ConfigDict(extra="forbid"),
        value=(key.value_type, Field(description=key.description)),
    )

    async def put_setting(body: body_model, _admin: AdminUser, session: SessionDep) -> SettingRead:
        return SettingRead.of(await service.set_setting(session, key.name, body.value))  # type: ignore[attr-defined]

    router.add_api_route(
        f"/{key.name}",
        put_setting,
        methods=["PUT"],
        response_model=SettingRead,
        name=f"put_{key.name}",
        summary=f"Set {key.name}",
        description=key.description,
    )


for _key in KNOWN_SETTINGS.values():
    _add_put_route(_key)
