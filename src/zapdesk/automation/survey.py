"""The satisfaction survey: asked when a ticket closes, answered 1 to 5 within a window, kept on the ticket.

Ingest routes an answer that reads as a rating into the closed ticket that asked (`tickets.ratings`), so it
opens no new ticket; here the rating is recorded and thanked. The window's end is a timer.
"""

from __future__ import annotations

from datetime import timedelta

from zapdesk.automation.messages import Said
from zapdesk.automation.models import TimerKind
from zapdesk.automation.scene import Scene
from zapdesk.automation.timers import TimerPlan
from zapdesk.tickets.ratings import parse_rating
from zapdesk.tickets.service import await_rating, record_rating


async def ask(scene: Scene, plan: TimerPlan) -> None:
    survey = scene.settings.survey
    if not survey.enabled or scene.ticket.rating is not None:
        return
    if await scene.say(survey.question, Said.SURVEY) is None:
        return  # a group, or nothing to ask
    until = scene.now + timedelta(minutes=survey.window_minutes)
    await_rating(scene.ticket, until)
    plan.arm(scene.ticket.id, TimerKind.SURVEY_END, until, after_message_id=None, replace=True)


async def take_answer(scene: Scene, plan: TimerPlan, text: str, message_id: int) -> None:
    """A customer's message in their closed ticket: the rating, if it is one and one is still awaited."""
    rating = parse_rating(text)
    if rating is None or scene.ticket.survey_until is None or scene.ticket.rating is not None:
        return
    await record_rating(scene.session, scene.ticket, rating, at=scene.now, message_id=message_id)
    plan.cancel(scene.ticket.id, TimerKind.SURVEY_END)
    await scene.say(scene.settings.survey.thanks, Said.SURVEY_THANKS)


async def end(scene: Scene) -> None:
    """The window is over: what the customer writes now is a new conversation."""
    if scene.ticket.survey_until is not None:
        await_rating(scene.ticket, None)
