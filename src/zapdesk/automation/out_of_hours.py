"""Business hours in practice: outside them a customer's message gets the out-of-hours message, at most once
every `repeat_hours` per ticket. A queue with hours of its own answers with its own week and message."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from zapdesk.automation.messages import Said
from zapdesk.automation.models import TicketAutomation
from zapdesk.automation.scene import Scene
from zapdesk.connections.automation import ConnectionAutomation
from zapdesk.hours.schedule import is_open
from zapdesk.hours.schemas import QueueHours
from zapdesk.queues.models import Queue
from zapdesk.tickets.history import service as history
from zapdesk.tickets.history.models import TicketEventKind


def closed_text(settings: ConnectionAutomation, queue: Queue | None, now: datetime, zone: ZoneInfo) -> str | None:
    """The out-of-hours message if the business (or `queue`, by its own hours) is closed at `now`; else None."""
    hours = settings.hours
    if not hours.enabled:
        return None
    override = QueueHours.model_validate(queue.hours) if queue is not None and queue.hours else None
    days = override.days if override is not None else hours.days
    if is_open(days, hours.exceptions, now, zone):
        return None
    return override.message if override is not None and override.message else hours.message


def said_recently(memory: TicketAutomation, settings: ConnectionAutomation, now: datetime) -> bool:
    """Whether this ticket heard the out-of-hours message less than `repeat_hours` ago."""
    last = memory.out_of_hours_sent_at
    return last is not None and now - last < timedelta(hours=settings.hours.repeat_hours)


async def answer_if_closed(scene: Scene, queue: Queue | None) -> None:
    """Say the business is closed, unless it is open or this ticket heard so within `repeat_hours`."""
    if said_recently(scene.memory, scene.settings, scene.now):
        return
    text = closed_text(scene.settings, queue, scene.now, await scene.stage.zone())
    said = await scene.say(text, Said.OUT_OF_HOURS) if text is not None else None
    if said is not None:
        scene.memory.out_of_hours_sent_at = scene.now
        scene.note(TicketEventKind.OUT_OF_HOURS_REPLY, history.BOT, message=said)


def queue_of(queues: list[Queue], queue_id: int | None) -> Queue | None:
    return next((queue for queue in queues if queue.id == queue_id), None)


def ticket_queue(scene: Scene) -> Queue | None:
    return queue_of(scene.connection.queues, scene.ticket.queue_id)
