"""What automation decided, for the ticket's history ("escolheu a fila Suporte", "fora do horário",
"encerrado por inatividade", "avaliação: 4").

SEAM (issue 13): the ticket history — append-only rows with an actor and a kind, written by the services in
the same transaction, shown as system lines in the chat — is being built on its own branch. When it lands,
`record` writes through its service (with these kinds added to its closed set) and nothing else changes here.
Until then the decisions are only logged.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.tickets.models import Ticket

log = logging.getLogger(__name__)


class Decision(StrEnum):
    QUEUE_CHOSEN = "queue_chosen"  # by the customer, from the menu
    MENU_FALLBACK = "menu_fallback"  # too many wrong answers, or none in time
    OUT_OF_HOURS = "out_of_hours"  # the out-of-hours message went out
    REMINDED = "reminded"  # the customer was reminded before closing
    CLOSED_FOR_SILENCE = "closed_for_silence"
    GIVEN_BACK = "given_back"  # the agent did not answer: back to the queue
    RATED = "rated"


async def record(session: AsyncSession, ticket: Ticket, decision: Decision, **details: int | str | None) -> None:
    del session  # written in this transaction once the history service exists (see above)
    log.info("ticket %s: %s %s", ticket.id, decision.value, details)
