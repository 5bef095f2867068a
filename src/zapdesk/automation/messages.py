"""Writing what automation says: a template filled for the ticket, stored as an ordinary outgoing message.

Each one is `pending` with no author, in the caller's transaction: the outbox sends it (paced, retried, ticked)
like an agent's, and it vanishes if that transaction rolls back. `extra.automatic` names what it was, so the
chat can mark it "bot" / "automático".
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.messages.models import Message, MessageStatus, MessageType
from zapdesk.messages.service import message_added
from zapdesk.templates.engine import render
from zapdesk.tickets.models import Ticket
from zapdesk.tickets.variables import ticket_variables


class Said(StrEnum):
    """What an automatic message was: kept on the message as `extra.automatic`."""

    GREETING = "greeting"
    MENU = "menu"
    INVALID_OPTION = "invalid_option"
    QUEUE_GREETING = "queue_greeting"
    OPTION_ANSWER = "option_answer"
    OUT_OF_HOURS = "out_of_hours"
    ACCEPTED = "accepted"
    TRANSFERRED = "transferred"
    FAREWELL = "farewell"
    CLOSED_FOR_SILENCE = "closed_for_silence"
    REMINDER = "reminder"
    SURVEY = "survey"
    SURVEY_THANKS = "survey_thanks"


def is_automatic(extra: dict[str, object]) -> bool:
    return bool(extra.get("automatic"))


async def say(
    session: AsyncSession, ticket: Ticket, template: str | None, what: Said, *, now: datetime
) -> Message | None:
    """Fill `template` for `ticket` and queue it; nothing for an empty template or a group (a greeting posted
    into a group would reach everyone in it, not one customer). Needs `ticket.contact` loaded."""
    if not template or not template.strip() or ticket.contact.is_group:
        return None
    body = render(template, await ticket_variables(session, ticket, now=now)).strip()
    if not body:
        return None
    message = Message(
        ticket_id=ticket.id,
        contact_id=ticket.contact_id,
        connection_id=ticket.connection_id,
        author_id=None,
        from_me=True,
        body=body,
        type=MessageType.TEXT,
        status=MessageStatus.PENDING,
        extra={"automatic": what.value},
        reactions={},
    )
    session.add(message)
    await message_added(session, ticket, message)
    return message
