"""Firing one due timer: the ticket is locked and acted on in the claiming transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.automation import reactions
from zapdesk.automation.models import Timer
from zapdesk.automation.scene import load_scene
from zapdesk.automation.timers import TimerPlan


async def fire_timer(session: AsyncSession, timer: Timer, now: datetime) -> None:
    scene = await load_scene(session, timer.ticket_id, now=now)
    if scene is None:
        return  # the ticket is gone (its timers go with it)
    plan = TimerPlan()
    await reactions.timer_due(scene, plan, timer)
    await plan.write(session)
