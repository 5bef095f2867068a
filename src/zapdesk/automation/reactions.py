"""What automation does when something happens to a ticket: its first message, a customer's message, an agent's
message, a line in its history (a person accepted, transferred, closed or reopened it), and a timer coming due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from zapdesk.automation import bot, survey
from zapdesk.automation.messages import Said
from zapdesk.automation.models import Timer, TimerKind
from zapdesk.automation.out_of_hours import answer_if_closed, ticket_queue
from zapdesk.automation.scene import Scene
from zapdesk.automation.timers import TimerPlan
from zapdesk.connections.automation import TimerSettings
from zapdesk.settings.service import SEND_GREETING_ON_NEW_TICKET
from zapdesk.tickets.history import service as history
from zapdesk.tickets.history.models import ActorKind, TicketEventKind
from zapdesk.tickets.history.schemas import TicketEventRead
from zapdesk.tickets.models import TicketStatus
from zapdesk.tickets.service import mark_closed, return_to_queue

# Timers that only make sense while a ticket is active.
ACTIVE_TIMERS = (TimerKind.CLOSE, TimerKind.REMIND, TimerKind.GIVE_BACK, TimerKind.MENU_EXPIRY)


# --- messages ---------------------------------------------------------------------------------------------------


async def first_message(scene: Scene, plan: TimerPlan) -> None:
    """A customer opened the ticket: the menu, or the greeting and (when closed) the out-of-hours message."""
    greeting = await _greeting(scene)
    if scene.ticket.choosing_queue:
        await bot.start(scene, plan, greeting=greeting)
        return
    queue = ticket_queue(scene)
    if greeting is None and queue is not None and await scene.stage.setting(SEND_GREETING_ON_NEW_TICKET):
        greeting = queue.greeting_message
    await scene.say(greeting, Said.GREETING)
    await answer_if_closed(scene, queue)


async def _greeting(scene: Scene) -> str | None:
    if not await scene.stage.setting(SEND_GREETING_ON_NEW_TICKET):
        return None
    greeting = scene.connection.greeting_message
    return greeting if greeting and greeting.strip() else None


async def customer_message(scene: Scene, plan: TimerPlan, text: str, message_id: int, sent_at: datetime) -> None:
    """A later message of the customer: an answer to the menu or the survey, or maybe out of hours."""
    if scene.is_closed:
        await survey.take_answer(scene, plan, text, message_id)
    elif scene.ticket.choosing_queue:
        await bot.answer(scene, plan, text, sent_at)
    elif scene.ticket.status == TicketStatus.PENDING:
        await answer_if_closed(scene, ticket_queue(scene))


# --- a line in the ticket's history --------------------------------------------------------------------------------

# What automation does about history lines it did not write itself (a timer's are its own).
WATCHED = {TicketEventKind.ACCEPTED, TicketEventKind.TRANSFERRED, TicketEventKind.CLOSED, TicketEventKind.REOPENED}


def concerns_automation(line: TicketEventRead) -> bool:
    return line.kind in WATCHED and line.actor.kind != ActorKind.TIMER


async def history_line(scene: Scene, plan: TimerPlan, line: TicketEventRead) -> None:
    """A person (or the API) accepted, transferred, closed or reopened the ticket."""
    ticket_id = scene.ticket.id
    if line.kind == TicketEventKind.CLOSED:
        await closing(scene, plan)
    elif line.kind == TicketEventKind.REOPENED:
        plan.cancel(ticket_id, TimerKind.SURVEY_END)  # the conversation goes on: the survey's question is moot
    elif line.kind == TicketEventKind.ACCEPTED:
        plan.cancel(ticket_id, TimerKind.MENU_EXPIRY)
        await scene.say(scene.settings.messages.accept, Said.ACCEPTED)
    else:
        plan.cancel(ticket_id, TimerKind.MENU_EXPIRY)
        await scene.say(scene.settings.messages.transfer, Said.TRANSFERRED)


async def closing(scene: Scene, plan: TimerPlan, *, closing_text: str | None = None) -> None:
    """The ticket closed: its goodbye (the timer's text, else the farewell), then the survey."""
    plan.cancel(scene.ticket.id, *ACTIVE_TIMERS)
    if closing_text:
        await scene.say(closing_text, Said.CLOSED_FOR_SILENCE)
    else:
        await scene.say(scene.connection.farewell_message, Said.FAREWELL)
    await survey.ask(scene, plan)


# --- timers -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spoke:
    """Someone wrote in a ticket: which message, in which state the ticket was, and its connection's timers."""

    ticket_id: int
    message_id: int
    status: str
    timers: TimerSettings
    now: datetime


def agent_wrote(plan: TimerPlan, spoke: Spoke) -> None:
    """An agent answered: they are no longer silent; the customer's silence is timed from now."""
    timers = spoke.timers
    plan.cancel(spoke.ticket_id, TimerKind.GIVE_BACK)
    if timers.close_after_minutes is None or spoke.status == TicketStatus.CLOSED:
        return
    close_at = spoke.now + timedelta(minutes=timers.close_after_minutes)
    plan.arm(spoke.ticket_id, TimerKind.CLOSE, close_at, after_message_id=spoke.message_id, replace=True)
    if timers.remind_before_minutes is not None:
        remind_at = close_at - timedelta(minutes=timers.remind_before_minutes)
        plan.arm(spoke.ticket_id, TimerKind.REMIND, remind_at, after_message_id=spoke.message_id, replace=True)


def customer_wrote(plan: TimerPlan, spoke: Spoke) -> None:
    """The customer answered: not silent any more; an agent holding the ticket is timed from their first
    unanswered message."""
    minutes = spoke.timers.pending_after_minutes
    plan.cancel(spoke.ticket_id, TimerKind.CLOSE, TimerKind.REMIND)
    if minutes is not None and spoke.status == TicketStatus.OPEN:
        due = spoke.now + timedelta(minutes=minutes)
        plan.arm(spoke.ticket_id, TimerKind.GIVE_BACK, due, after_message_id=spoke.message_id, replace=False)


def answered_since(timer: Timer, *, customer: int | None, agent: int | None) -> bool:
    """Whether the other side wrote after the message that armed `timer` (given each side's newest message):
    then it is moot, even if automation had not read that message yet."""
    if timer.after_message_id is None:
        return False
    newest = agent if timer.kind == TimerKind.GIVE_BACK else customer
    return newest is not None and newest > timer.after_message_id


async def timer_due(scene: Scene, plan: TimerPlan, timer: Timer, *, moot: bool) -> None:
    """Act on a timer, unless what armed it is `moot` by now or the ticket moved on."""
    ticket = scene.ticket
    if timer.kind == TimerKind.SURVEY_END:
        await survey.end(scene)
    elif timer.kind == TimerKind.MENU_EXPIRY:
        if ticket.choosing_queue:
            await bot.fall_back(scene, plan, history.TIMER)
    elif scene.is_closed or moot:
        return
    elif timer.kind == TimerKind.GIVE_BACK:
        agent = ticket.assignee_id
        if ticket.status == TicketStatus.OPEN:
            scene.moved(return_to_queue(ticket))
            scene.note(TicketEventKind.TRANSFERRED, history.TIMER, from_user_id=agent)
    else:
        await _customer_silent(scene, plan, timer.kind)


async def _customer_silent(scene: Scene, plan: TimerPlan, kind: TimerKind) -> None:
    timers = scene.settings.timers
    if kind == TimerKind.REMIND:
        reminder = await scene.say(timers.reminder_message, Said.REMINDER)
        if reminder is not None:
            scene.note(TicketEventKind.REMINDED, history.TIMER, message=reminder)
        return
    scene.moved(mark_closed(scene.ticket, scene.now))
    scene.note(TicketEventKind.CLOSED, history.TIMER, detail={"reason": "silence"}, at=scene.now)
    await closing(scene, plan, closing_text=timers.close_message)
