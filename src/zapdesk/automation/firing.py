"""Firing the due timers one transaction claimed: their tickets locked and read together, then each acted on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.automation import reactions
from zapdesk.automation.models import TicketAutomation, Timer
from zapdesk.automation.scene import Stage
from zapdesk.automation.timers import TimerPlan
from zapdesk.messages.models import Message
from zapdesk.tickets.repository import lock_tickets


async def fire_timers(session: AsyncSession, timers: Sequence[Timer], now: datetime, plan: TimerPlan) -> None:
    ticket_ids = sorted({timer.ticket_id for timer in timers})
    tickets = await lock_tickets(session, ticket_ids)
    memories = select(TicketAutomation).where(TicketAutomation.ticket_id.in_(ticket_ids))
    remembered = {memory.ticket_id: memory for memory in (await session.execute(memories)).scalars()}
    latest = await _latest_words(session, ticket_ids)
    stage = Stage(session, now)
    for timer in timers:
        ticket = tickets.get(timer.ticket_id)
        scene = await stage.scene(ticket, remembered.get(timer.ticket_id)) if ticket is not None else None
        if scene is not None:
            customer, agent = latest.get(timer.ticket_id, (None, None))
            moot = reactions.answered_since(timer, customer=customer, agent=agent)
            await reactions.timer_due(scene, plan, timer, moot=moot)
    await stage.finish()


async def _latest_words(session: AsyncSession, ticket_ids: Sequence[int]) -> dict[int, tuple[int | None, int | None]]:
    """For each ticket: its newest message from the customer, and from an agent (ids)."""
    query = (
        select(
            Message.ticket_id,
            func.max(case((Message.from_me.is_(False), Message.id))),
            func.max(case((Message.author_id.is_not(None), Message.id))),
        )
        .where(Message.ticket_id.in_(ticket_ids))
        .group_by(Message.ticket_id)
    )
    return {ticket_id: (customer, agent) for ticket_id, customer, agent in (await session.execute(query)).all()}
