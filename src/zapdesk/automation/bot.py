"""The queue menu bot: greets a new ticket with the connection's queues, reads the customer's answers, and
places the ticket in the queue they chose (or the fallback after too many wrong answers, or none in time).

It speaks only while the ticket is choosing a queue: an agent who accepts, transfers or writes ends that
(the services clear `choosing_queue`), and group tickets never choose.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from zapdesk.automation.menu import BACK, MenuItem, choose, render, with_intro
from zapdesk.automation.messages import Said
from zapdesk.automation.models import TimerKind
from zapdesk.automation.out_of_hours import answer_if_closed
from zapdesk.automation.scene import Scene
from zapdesk.automation.timers import TimerPlan
from zapdesk.queues.models import Queue
from zapdesk.queues.schemas import QueueOption
from zapdesk.tickets.history import service as history
from zapdesk.tickets.history.models import TicketEventKind
from zapdesk.tickets.history.service import Actor
from zapdesk.tickets.service import place_in_queue

# WhatsApp stamps a message to the second and clocks disagree a little: a message sent this shortly before the
# menu may still be an answer to it.
CLOCK_SLACK = timedelta(seconds=2)


def queue_items(queues: list[Queue]) -> list[MenuItem]:
    return [MenuItem(queue.order, queue.name, queue.description) for queue in queues]


def option_items(queue: Queue) -> list[MenuItem]:
    return [MenuItem(option.number, option.label) for option in options_of(queue)]


def options_of(queue: Queue) -> list[QueueOption]:
    return [QueueOption.model_validate(option) for option in queue.options or []]


def menu_text(intro: str | None, queues: list[Queue], under: Queue | None = None) -> str:
    """The menu as the customer reads it: an intro, then the queues (or `under`'s options, and "0 - Voltar")."""
    if under is None:
        return with_intro(intro, render(queue_items(queues)))
    return with_intro(intro, render(option_items(under), back=True))


async def start(scene: Scene, plan: TimerPlan, *, greeting: str | None) -> None:
    """The ticket's first message: the greeting and the queues."""
    scene.memory.menu_queue_id = None
    scene.memory.menu_tries = 0
    await _show(scene, menu_text(greeting, scene.connection.queues), Said.MENU)
    expiry = scene.settings.menu.expire_minutes
    if expiry is not None:
        due = scene.now + timedelta(minutes=expiry)
        plan.arm(scene.ticket.id, TimerKind.MENU_EXPIRY, due, after_message_id=None, replace=True)


async def answer(scene: Scene, plan: TimerPlan, text: str, sent_at: datetime) -> None:
    """The customer answered the menu (a number or a name). What they sent before the menu was shown (written
    while the business phone was offline, or typed while it was on its way) answers nothing and is no wrong try."""
    shown = scene.memory.menu_shown_at
    if shown is not None and sent_at < shown - CLOCK_SLACK:
        return
    under = _shown_queue(scene)
    if under is None:
        chosen = choose(queue_items(scene.connection.queues), text)
        number = chosen.number if isinstance(chosen, MenuItem) else None
        queue = next((queue for queue in scene.connection.queues if queue.order == number), None)
        if queue is None:
            await _wrong(scene, plan, under=None)
        elif queue.options:
            await _show_options(scene, queue)
        else:
            await _place(scene, plan, queue, history.CUSTOMER)
        return
    choice = choose(option_items(under), text, back=True)
    if choice == BACK:
        scene.memory.menu_queue_id = None
        scene.memory.menu_tries = 0
        await _show(scene, menu_text(None, scene.connection.queues), Said.MENU)
        return
    number = choice.number if isinstance(choice, MenuItem) else None
    option = next((option for option in options_of(under) if option.number == number), None)
    if option is None:
        await _wrong(scene, plan, under=under)
    elif option.answer is not None:
        scene.memory.menu_tries = 0
        await scene.say(option.answer, Said.OPTION_ANSWER)
    else:
        target = next((queue for queue in scene.connection.queues if queue.id == option.queue_id), None)
        await _place(scene, plan, target or await scene.session.get(Queue, option.queue_id), history.CUSTOMER)


async def fall_back(scene: Scene, plan: TimerPlan, by: Actor) -> None:
    """Too many wrong answers (`by` the bot), or none in time (`by` a timer): the fallback queue (or none, as
    configured)."""
    fallback = scene.settings.menu.fallback_queue_id
    queue = next((queue for queue in scene.connection.queues if queue.id == fallback), None)
    await _place(scene, plan, queue, by)


def _shown_queue(scene: Scene) -> Queue | None:
    shown = scene.memory.menu_queue_id
    return next((queue for queue in scene.connection.queues if queue.id == shown), None)


async def _show_options(scene: Scene, queue: Queue) -> None:
    scene.memory.menu_queue_id = queue.id
    scene.memory.menu_tries = 0
    await _show(scene, menu_text(queue.greeting_message, scene.connection.queues, under=queue), Said.MENU)


async def _wrong(scene: Scene, plan: TimerPlan, *, under: Queue | None) -> None:
    scene.memory.menu_tries += 1
    if scene.memory.menu_tries >= scene.settings.menu.max_tries:
        await fall_back(scene, plan, history.BOT)
        return
    invalid = scene.settings.menu.invalid_message
    await _show(scene, menu_text(invalid, scene.connection.queues, under=under), Said.INVALID_OPTION)


async def _show(scene: Scene, menu: str, what: Said) -> None:
    scene.memory.menu_shown_at = scene.now
    await scene.say(menu, what)


async def _place(scene: Scene, plan: TimerPlan, queue: Queue | None, by: Actor) -> None:
    """The menu is over, chosen `by` the customer (or the fallback, by the bot or a timer): the ticket goes to
    `queue`, which greets the customer (and says if it is closed)."""
    queue_id = queue.id if queue is not None else None
    scene.moved(place_in_queue(scene.ticket, queue_id))
    scene.note(TicketEventKind.QUEUE_CHOSEN, by, to_queue_id=queue_id)
    scene.memory.menu_queue_id = None
    scene.memory.menu_tries = 0
    plan.cancel(scene.ticket.id, TimerKind.MENU_EXPIRY)
    if queue is not None:
        await scene.say(queue.greeting_message, Said.QUEUE_GREETING)
    await answer_if_closed(scene, queue)
