"""POST /api/messages/{id}/retry puts a failed message back in the outbox, for those who may see its ticket."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import EventLog
from tests.outbox.helpers import queue_message, reload
from tests.tickets.factories import PERSONAS, Desk, guarded_status
from zapdesk.context import AppContext
from zapdesk.messages.models import Message, MessageStatus
from zapdesk.tickets.models import Ticket


async def _failed_message(context: AppContext, ticket: Ticket) -> Message:
    return await queue_message(
        context,
        ticket,
        "Olá",
        status=MessageStatus.FAILED,
        error="This number is not on WhatsApp.",
        send_attempts=5,
        external_id="FAKE-FIRST-TRY",
    )


async def test_retrying_a_failed_message_queues_it_again_with_the_same_whatsapp_id(
    context: AppContext, desk: Desk, client: httpx.AsyncClient, published: EventLog
) -> None:
    message = await _failed_message(context, await desk.guarded_ticket())

    response = await client.post(f"/api/messages/{message.id}/retry", headers=desk.headers("assignee"))

    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["error"]) == ("pending", None)
    stored = await reload(context, message.id)
    assert (stored.status, stored.send_attempts, stored.next_attempt_at) == (MessageStatus.PENDING, 0, None)
    assert stored.external_id == "FAKE-FIRST-TRY"
    (updated,) = published.named("message.updated")
    assert updated.payload["status"] == "pending"  # the server nudges the outbox on this


async def test_only_a_failed_message_can_be_retried(context: AppContext, desk: Desk, client: httpx.AsyncClient) -> None:
    message = await queue_message(context, await desk.guarded_ticket(), "Olá", status=MessageStatus.SENT)

    response = await client.post(f"/api/messages/{message.id}/retry", headers=desk.headers("admin"))

    assert response.status_code == 409
    assert response.json()["code"] == "not_failed"


@pytest.mark.parametrize("persona", PERSONAS)
async def test_retry_follows_the_ticket_access_rule(
    context: AppContext, desk: Desk, client: httpx.AsyncClient, persona: str
) -> None:
    message = await _failed_message(context, await desk.guarded_ticket())

    response = await client.post(f"/api/messages/{message.id}/retry", headers=desk.headers(persona))

    assert response.status_code == guarded_status(persona, 200)
    expected = MessageStatus.PENDING if response.status_code == 200 else MessageStatus.FAILED
    assert (await reload(context, message.id)).status == expected


async def test_retrying_an_unknown_message_is_404(desk: Desk, client: httpx.AsyncClient) -> None:
    response = await client.post("/api/messages/999999/retry", headers=desk.headers("admin"))

    assert response.status_code == 404
    assert response.json()["code"] == "message_not_found"
