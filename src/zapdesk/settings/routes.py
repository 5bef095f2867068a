"""/api/settings: administrators read and change workspace settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from zapdesk.api.deps import AdminUser, SessionDep
from zapdesk.settings import service
from zapdesk.settings.schemas import SettingRead, SettingWrite

router = APIRouter(prefix="/settings", tags=["settings"])


@router.get("", response_model=list[SettingRead])
async def list_settings(_admin: AdminUser, session: SessionDep) -> list[SettingRead]:
    return [SettingRead.of(setting) for setting in await service.list_settings(session)]


@router.put("/{key}", response_model=SettingRead)
async def put_setting(
    key: Annotated[str, Path(max_length=64)], body: SettingWrite, _admin: AdminUser, session: SessionDep
) -> SettingRead:
    return SettingRead.of(await service.set_setting(session, key, body.value))
