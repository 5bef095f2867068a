"""What automation does when something happens to a ticket: its first message, a customer's message, an agent's
message, a person moving it (accept, transfer, close, reopen), and a timer coming due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from zapdesk.automation import bot, history, survey
from zapdesk.automation.messages import Said
from zapdesk.automation.models import Timer, TimerKind
from zapdesk.automation.out_of_hours import answer_if_closed, ticket_queue
from zapdesk.automation.scene import Scene
from zapdesk.automation.timers import TimerPlan
from zapdesk.connections.automation import TimerSettings
from zapdesk.settings.service import SEND_GREETING_ON_NEW_TICKET, get_setting
from zapdesk.tickets.models import TicketStatus
from zapdesk.tickets.service import close_for_silence, give_back_to_queue

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
    if greeting is None and queue is not None and await get_setting(scene.session, SEND_GREETING_ON_NEW_TICKET):
        greeting = queue.greeting_message
    await scene.say(greeting, Said.GREETING)
    await answer_if_closed(scene, queue)


async def _greeting(scene: Scene) -> str | None:
    if not await get_setting(scene.session, SEND_GREETING_ON_NEW_TICKET):
        return None
    greeting = scene.connection.greeting_message
    return greeting if greeting and greeting.strip() else None


async def customer_message(scene: Scene, plan: TimerPlan, text: str) -> None:
    """A later message of the customer: an answer to the menu or the survey, or maybe out of hours."""
    if scene.is_closed:
        await survey.take_answer(scene, plan, text)
    elif scene.ticket.choosing_queue:
        await bot.answer(scene, plan, text)
    elif scene.ticket.status == TicketStatus.PENDING:
        await answer_if_closed(scene, ticket_queue(scene))


# --- a person moved the ticket ------------------------------------------------------------------------------------


async def ticket_moved(
    scene: Scene, plan: TimerPlan, before: tuple[str, int | None, int | None], after: tuple[str, int | None, int | None]
) -> None:
    """React to what a person did, told apart by the ticket's place before and after."""
    was, queue_before, assignee_before = before
    now, queue_after, assignee_after = after
    if now == TicketStatus.CLOSED and was != TicketStatus.CLOSED:
        await closing(scene, plan)
    elif was == TicketStatus.CLOSED:
        plan.cancel(scene.ticket.id, TimerKind.SURVEY_END)  # reopened: the survey's question is moot
    elif was == TicketStatus.PENDING and now == TicketStatus.OPEN:
        plan.cancel(scene.ticket.id, TimerKind.MENU_EXPIRY)
        await scene.say(scene.settings.messages.accept, Said.ACCEPTED)
    elif queue_after != queue_before or (
        None not in (assignee_before, assignee_after) and assignee_before != assignee_after
    ):
        plan.cancel(scene.ticket.id, TimerKind.MENU_EXPIRY)
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
            await bot.fall_back(scene, plan)
    elif scene.is_closed or moot:
        return
    elif timer.kind == TimerKind.GIVE_BACK:
        if ticket.status == TicketStatus.OPEN:
            scene.moved(await give_back_to_queue(scene.session, ticket, announce=False))
            await history.record(scene.session, ticket, history.Decision.GIVEN_BACK)
    else:
        await _customer_silent(scene, plan, timer.kind)


async def _customer_silent(scene: Scene, plan: TimerPlan, kind: TimerKind) -> None:
    timers = scene.settings.timers
    if kind == TimerKind.REMIND:
        if await scene.say(timers.reminder_message, Said.REMINDER) is not None:
            await history.record(scene.session, scene.ticket, history.Decision.REMINDED)
        return
    scene.moved(await close_for_silence(scene.session, scene.ticket, announce=False))
    await history.record(scene.session, scene.ticket, history.Decision.CLOSED_FOR_SILENCE)
    await closing(scene, plan, closing_text=timers.close_message)
