"""Satisfaction ratings: reading a customer's answer to the survey, and finding the closed ticket awaiting it.

A rating is 1 to 5 given as a digit ("4", "nota 4"), a word ("quatro") or a row of stars ("⭐⭐⭐⭐"); anything
else is not a rating and opens a conversation like any message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, joinedload

from zapdesk.tickets.models import Ticket, TicketStatus

_WORDS = {
    "um": 1, "uma": 1, "one": 1,
    "dois": 2, "duas": 2, "two": 2,
    "tres": 3, "three": 3,
    "quatro": 4, "four": 4,
    "cinco": 5, "five": 5,
}  # fmt: skip
_STARS = {"⭐", "🌟", "★"}
# Emoji variation selectors and joiners that ride along with stars.
_INVISIBLE = {"\ufe0f", "\ufe0e", "\u200d"}
_LEAD = re.compile(r"^(?:nota|avaliacao|avalio|dou|minha nota e|e)\s+")


def _plain(text: str) -> str:
    """Lower case, without accents and punctuation, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^\w\s]", " ", letters).split())


def parse_rating(text: str) -> int | None:
    """The rating `text` gives, or None when it is not (only) a rating."""
    stripped = "".join(char for char in text if char not in _INVISIBLE and not char.isspace())
    if stripped and set(stripped) <= _STARS:
        return len(stripped) if len(stripped) <= 5 else None
    plain = _LEAD.sub("", _plain(text))
    if plain in {"1", "2", "3", "4", "5"}:
        return int(plain)
    return _WORDS.get(plain)


async def tickets_awaiting_rating(
    session: AsyncSession, *, conversations: Collection[tuple[int, int]]
) -> dict[tuple[int, int], Ticket]:
    """For each of these `(contact_id, connection_id)` conversations with no active ticket, the closed ticket
    whose survey still waits for the contact's answer (the survey's window closing clears `survey_until`)."""
    if not conversations:
        return {}
    active = aliased(Ticket)
    query = (
        select(Ticket)
        .options(joinedload(Ticket.contact, innerjoin=True))
        .where(
            tuple_(Ticket.contact_id, Ticket.connection_id).in_(set(conversations)),
            Ticket.status == TicketStatus.CLOSED,
            Ticket.survey_until.is_not(None),
            Ticket.rating.is_(None),
            ~select(active.id)
            .where(
                active.contact_id == Ticket.contact_id,
                active.connection_id == Ticket.connection_id,
                active.status.in_((TicketStatus.OPEN, TicketStatus.PENDING)),
            )
            .exists(),
        )
        .order_by(Ticket.id)
    )
    # The newest closed ticket of a conversation is the one that asked last.
    tickets = (await session.execute(query)).scalars().unique()
    return {(ticket.contact_id, ticket.connection_id): ticket for ticket in tickets}
