"""The business hours a ticket's durations count by: its connection's, with a queue's own week where it has one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.connections.automation import ConnectionAutomation, HoursSettings
from zapdesk.connections.models import Connection
from zapdesk.hours.calendar import NO_HOURS, BusinessCalendar, ConnectionHours
from zapdesk.hours.schemas import QueueHours
from zapdesk.queues.models import Queue
from zapdesk.tickets.variables import workspace_zone


def connection_hours(
    settings: HoursSettings, queue_hours: Mapping[int, Mapping[str, Any] | None], zone: ZoneInfo
) -> ConnectionHours:
    """A connection's calendar from its hours settings and the stored `hours` of the queues (by id)."""
    if not settings.enabled:
        return NO_HOURS
    weeks = {queue_id: QueueHours.model_validate(hours).days for queue_id, hours in queue_hours.items() if hours}
    return ConnectionHours(BusinessCalendar(settings.days, settings.exceptions, zone), weeks)


async def hours_by_connection(session: AsyncSession, connection_ids: Iterable[int]) -> dict[int, ConnectionHours]:
    """The calendar of each connection; a connection without business hours (or gone) counts every second."""
    ids = set(connection_ids)
    if not ids:
        return {}
    rows = await session.execute(select(Connection.id, Connection.automation).where(Connection.id.in_(ids)))
    settings = {
        connection_id: ConnectionAutomation.model_validate(automation or {}).hours for connection_id, automation in rows
    }
    hours = dict.fromkeys(ids, NO_HOURS)
    if not any(found.enabled for found in settings.values()):
        return hours
    zone = await workspace_zone(session)
    queue_rows = await session.execute(select(Queue.id, Queue.hours).where(Queue.hours.is_not(None)))
    queue_hours: dict[int, dict[str, Any] | None] = {queue_id: hours for queue_id, hours in queue_rows}
    for connection_id, found in settings.items():
        hours[connection_id] = connection_hours(found, queue_hours, zone)
    return hours
