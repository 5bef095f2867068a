"""/api/meta: public facts about this server (version, environment, whether the simulator is on)."""

from __future__ import annotations

from fastapi import APIRouter

from zapdesk import __version__
from zapdesk.api.deps import SettingsDep
from zapdesk.meta.schemas import Meta

router = APIRouter(tags=["meta"])

DEFAULT_SIMULATOR_PATH = "/simulator/"


@router.get("/meta", response_model=Meta)
async def meta(settings: SettingsDep) -> Meta:
    simulator_url = (settings.simulator_url or DEFAULT_SIMULATOR_PATH) if settings.simulator_enabled else None
    return Meta(version=__version__, environment=settings.environment, simulator_url=simulator_url)
