"""Writing what automation says: a template filled for the ticket, stored as an ordinary outgoing message.

Each one is `pending` with no author, in the caller's transaction: the outbox sends it (paced, retried, ticked)
like an agent's, and it vanishes if that transaction rolls back. `extra.automatic` names what it was, so the
chat can mark it "bot" / "automático". What one transaction says is written together at its end
(`Transcript`): one INSERT for all the messages, one update per ticket.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.messages.models import Message, MessageStatus, MessageType
from zapdesk.messages.service import from_our_side, messages_added
from zapdesk.templates.engine import render
from zapdesk.tickets.models import Ticket


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


class Transcript:
    """The messages automation says in one transaction, in order, until `write`."""

    def __init__(self) -> None:
        self._said: dict[int, tuple[Ticket, list[Message]]] = {}

    def add(self, ticket: Ticket, message: Message) -> None:
        self._said.setdefault(ticket.id, (ticket, []))[1].append(message)

    async def write(self, session: AsyncSession) -> None:
        said = list(self._said.values())
        self._said.clear()
        if said:
            session.add_all([message for _, messages in said for message in messages])
            await messages_added(session, said)


def compose(ticket: Ticket, template: str | None, what: Said, values: Mapping[str, str]) -> Message | None:
    """`template` filled with `values`, as the message to send in `ticket`; None for an empty template or a
    group (a greeting posted into a group would reach everyone in it, not one customer). Needs `ticket.contact`
    loaded."""
    if not template or not template.strip() or ticket.contact.is_group:
        return None
    body = render(template, values).strip()
    if not body:
        return None
    return from_our_side(
        ticket,
        author_id=None,
        body=body,
        type=MessageType.TEXT,
        status=MessageStatus.PENDING,
        extra={"automatic": what.value},
    )
