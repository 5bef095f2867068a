"""Ticket search across pages: matches by contact and by message text come interleaved, newest first, once each."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest

from tests.tickets.factories import Desk, ids_of, make_contact, make_message, make_ticket
from zapdesk.db.base import utcnow
from zapdesk.tickets import repository
from zapdesk.tickets.models import TicketStatus


# Search looks up the tickets of few matches by id and walks the tickets for many (`FEW_MESSAGES`, `FEW_CONTACTS`):
# with the thresholds at 0 every match is "many", so both ways give the same pages.
@pytest.mark.parametrize("matches", ["few", "many"])
async def test_search_pages_interleave_contact_and_text_matches_newest_first_each_once(
    client: httpx.AsyncClient, desk: Desk, monkeypatch: pytest.MonkeyPatch, matches: str
) -> None:
    if matches == "many":
        monkeypatch.setattr(repository, "FEW_MESSAGES", 0)
        monkeypatch.setattr(repository, "FEW_CONTACTS", 0)
    start = utcnow()
    matching: list[tuple[datetime, int]] = []
    for n in range(7):
        # Even: the contact's name matches; odd: only a message's text does; the one of 3 matches both.
        name = f"Rosa Lima {n}" if n % 2 == 0 or n == 3 else f"Pedro {n}"
        contact = await make_contact(desk.context, name=name)
        activity = start + timedelta(seconds=n // 2)  # pairs tie on activity: the id decides
        ticket = await make_ticket(
            desk.context,
            connection=desk.connection,
            queue=desk.queue,
            contact=contact,
            status=TicketStatus.CLOSED,
            last_activity_at=activity,
        )
        await make_message(desk.context, ticket=ticket, body="bom dia" if n % 2 == 0 else f"falar com a rosa {n}")
        matching.append((activity, ticket.id))
    unrelated = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue)
    await make_message(desk.context, ticket=unrelated, body="nada a ver")
    expected = [ticket_id for _activity, ticket_id in sorted(matching, reverse=True)]

    seen: list[int] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"search": "ROSA", "status": "closed", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        response = await client.get("/api/tickets", params=params, headers=desk.headers("agent_in_queue"))
        assert response.status_code == 200, response.text
        seen.extend(ids_of(response))
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == expected
