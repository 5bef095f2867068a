"""Read marks and typing: opening a ticket tells WhatsApp the customer was read (unless the connection keeps
receipts off), and an agent typing shows "typing…" to the customer, both through the outbox; a typing indicator
that could not be told in time is dropped rather than told late."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from tests.messages.test_message_actions import actions_sent, all_actions_settle, call, received_in, sent_by
from tests.outbox.conftest import RunDispatcher, clock, media_store, no_pacing, run_dispatcher
from tests.outbox.fake_engine import FakeEngine
from tests.tickets.factories import Desk
from zapdesk.context import AppContext
from zapdesk.kit.clock import ManualClock
from zapdesk.messages.models import ActionKind, MessageAction
from zapdesk.tickets.models import TicketStatus

__all__ = ["clock", "media_store", "no_pacing", "run_dispatcher"]

pytestmark = pytest.mark.usefixtures("no_pacing")


async def queued_kinds(context: AppContext) -> list[ActionKind]:
    async with context.sessionmaker() as session:
        return list((await session.execute(select(MessageAction.kind).order_by(MessageAction.id))).scalars())


async def test_opening_a_ticket_with_unread_messages_marks_the_newest_read_on_whatsapp(
    client: httpx.AsyncClient, context: AppContext, desk: Desk, run_dispatcher: RunDispatcher
) -> None:
    ticket = await desk.guarded_ticket(unread_count=1)
    question = await received_in(context, ticket, "Meu pedido chegou?")

    opened = await call(client, desk, "GET", f"/api/tickets/{ticket.id}/messages")

    assert opened.status_code == 200, opened.text
    engine = FakeEngine()
    async with run_dispatcher(desk.connection.id, engine):
        await actions_sent(engine, 1)
    chat = engine.calls[0][1]
    assert engine.read_marks == [(chat, [question.external_id])]


async def test_a_connection_with_read_receipts_off_resets_the_unread_count_but_tells_whatsapp_nothing(
    client: httpx.AsyncClient, context: AppContext, desk: Desk
) -> None:
    switched = await call(
        client, desk, "PATCH", f"/api/connections/{desk.connection.id}", {"send_read_receipts": False}, "admin"
    )
    assert switched.status_code == 200, switched.text
    assert switched.json()["send_read_receipts"] is False
    ticket = await desk.guarded_ticket(unread_count=1)
    await received_in(context, ticket, "Oi")

    opened = await call(client, desk, "GET", f"/api/tickets/{ticket.id}/messages")

    assert opened.status_code == 200, opened.text
    listed = await call(client, desk, "GET", f"/api/tickets/{ticket.id}")
    assert listed.json()["unread_count"] == 0
    assert await queued_kinds(context) == []


async def test_connections_send_read_receipts_unless_told_otherwise(client: httpx.AsyncClient, desk: Desk) -> None:
    created = await call(client, desk, "POST", "/api/connections", {"name": "Vendas"}, "admin")

    assert created.status_code == 201, created.text
    assert created.json()["send_read_receipts"] is True


async def test_typing_shows_on_whatsapp_and_stopping_clears_it(
    client: httpx.AsyncClient, context: AppContext, desk: Desk, run_dispatcher: RunDispatcher
) -> None:
    ticket = await desk.guarded_ticket()
    await received_in(context, ticket, "Alguém aí?")

    typing = await call(client, desk, "POST", f"/api/tickets/{ticket.id}/typing", {"typing": True})
    stopped = await call(client, desk, "POST", f"/api/tickets/{ticket.id}/typing", {"typing": False})

    assert (typing.status_code, stopped.status_code) == (204, 204)
    engine = FakeEngine()
    async with run_dispatcher(desk.connection.id, engine):
        calls = await actions_sent(engine, 2)
    assert [(name, state) for name, _chat, state in calls] == [("typing", "True"), ("typing", "False")]


async def test_a_typing_indicator_the_outbox_could_not_tell_in_time_is_dropped_untold(
    client: httpx.AsyncClient, context: AppContext, desk: Desk, run_dispatcher: RunDispatcher, clock: ManualClock
) -> None:
    ticket = await desk.guarded_ticket()
    await sent_by(context, desk, ticket, "Vou verificar")
    await call(client, desk, "POST", f"/api/tickets/{ticket.id}/typing", {"typing": True})
    assert await queued_kinds(context) == [ActionKind.TYPING]
    # The connection was down for a while; then the agent reacts, which is still worth telling.
    await clock.advance(11)
    reaction_target = await sent_by(context, desk, ticket, "Pronto", minutes_ago=0)
    reacted = await call(client, desk, "PUT", f"/api/messages/{reaction_target.id}/reaction", {"emoji": "👍"})
    assert reacted.status_code == 200, reacted.text

    engine = FakeEngine()
    async with run_dispatcher(desk.connection.id, engine):
        await all_actions_settle(context)

    assert [name for name, *_ in engine.calls] == ["react"]


async def test_typing_on_a_closed_ticket_is_refused(client: httpx.AsyncClient, context: AppContext, desk: Desk) -> None:
    ticket = await desk.guarded_ticket(status=TicketStatus.CLOSED)
    await received_in(context, ticket, "Obrigado")

    refused = await call(client, desk, "POST", f"/api/tickets/{ticket.id}/typing", {"typing": True})

    assert refused.status_code == 409
    assert refused.json()["code"] == "ticket_closed"
    assert await queued_kinds(context) == []


async def test_nobody_types_in_a_ticket_they_cannot_see(
    client: httpx.AsyncClient, context: AppContext, desk: Desk
) -> None:
    ticket = await desk.guarded_ticket()
    await received_in(context, ticket, "Oi")

    refused = await call(
        client, desk, "POST", f"/api/tickets/{ticket.id}/typing", {"typing": True}, "agent_not_in_queue"
    )

    assert refused.status_code == 404
    assert await queued_kinds(context) == []


async def test_typing_repeated_before_the_outbox_told_it_queues_it_once(
    client: httpx.AsyncClient, context: AppContext, desk: Desk
) -> None:
    ticket = await desk.guarded_ticket()
    await received_in(context, ticket, "Oi")

    for _ in range(5):
        response = await call(client, desk, "POST", f"/api/tickets/{ticket.id}/typing", {"typing": True})
        assert response.status_code == 204

    assert await queued_kinds(context) == [ActionKind.TYPING]
