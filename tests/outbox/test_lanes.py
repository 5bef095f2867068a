"""Engines that send in parallel (the Cloud API): several chats at once, each chat still in order; throughput
errors slow the connection down instead of failing messages; reactions and read marks go out behind messages."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.outbox.conftest import RunDispatcher
from tests.outbox.fake_engine import FakeEngine, ParallelFakeEngine
from tests.outbox.helpers import eventually, queue_message, reload, status_becomes
from tests.tickets.factories import Desk, make_contact, make_message, make_ticket
from zapdesk.context import AppContext
from zapdesk.db.uow import unit_of_work
from zapdesk.engine.base import Throttled
from zapdesk.engine.events import OutgoingTemplate, TemplateParameter
from zapdesk.kit.clock import ManualClock
from zapdesk.messages.models import ActionKind, Message, MessageAction, MessageStatus
from zapdesk.messages.service import queue_action

pytestmark = pytest.mark.usefixtures("no_pacing")


async def chats(context: AppContext, desk: Desk, count: int) -> list[object]:
    return [
        await make_ticket(
            context, connection=desk.connection, contact=await make_contact(context, phone=f"55119000{i:05d}")
        )
        for i in range(count)
    ]


async def test_sends_to_several_chats_at_once_keeping_each_chats_order(
    context: AppContext, desk: Desk, run_dispatcher: RunDispatcher
) -> None:
    tickets = await chats(context, desk, 4)
    for round_ in range(3):
        for ticket in tickets:
            await queue_message(context, ticket, f"{ticket.contact_id}:{round_}")  # type: ignore[attr-defined]
    engine = ParallelFakeEngine(parallel_sends=4)

    async with run_dispatcher(desk.connection.id, engine):
        await engine.wait_for_sent(12)

    assert engine.most_in_flight >= 2
    by_chat: dict[str, list[str]] = {}
    for sent in engine.sent:
        by_chat.setdefault(sent.chat.address, []).append(sent.message.text.split(":")[1])
    assert all(order == ["0", "1", "2"] for order in by_chat.values()) and len(by_chat) == 4


async def test_throughput_error_holds_the_connection_back_and_fails_no_message(
    context: AppContext, desk: Desk, run_dispatcher: RunDispatcher, clock: ManualClock
) -> None:
    tickets = await chats(context, desk, 6)
    queued = [await queue_message(context, ticket, "Promoção!") for ticket in tickets]  # type: ignore[arg-type]
    engine = ParallelFakeEngine(parallel_sends=4, send_seconds=0.0)
    engine.failures = [Throttled("Rate limit hit (130429)", retry_after=0.3, whole_connection=True)]

    async with run_dispatcher(desk.connection.id, engine) as dispatcher:

        async def held_back() -> bool:
            return engine.attempts >= 1 and not dispatcher._in_flight and clock.sleeping > 0

        await eventually(held_back)
        await clock.advance(0.29)
        await eventually(held_back)
        assert len(engine.sent) < 6  # the whole connection is held back as long as Meta asked
        await clock.advance(0.01)
        await engine.wait_for_sent(6)
        lanes = dispatcher._lanes
        stored = [await status_becomes(context, message.id, MessageStatus.SENT) for message in queued]

    assert all(message.send_attempts == 0 for message in stored)  # waiting is not a failed attempt
    assert lanes < 4  # and sends in fewer lanes until enough go through


async def test_pair_rate_limit_delays_only_that_chat(
    context: AppContext, desk: Desk, run_dispatcher: RunDispatcher, clock: ManualClock
) -> None:
    first, second = await chats(context, desk, 2)
    limited = await queue_message(context, first, "para a Ana")  # type: ignore[arg-type]
    await queue_message(context, second, "para o Bruno")  # type: ignore[arg-type]
    engine = ParallelFakeEngine(parallel_sends=1, send_seconds=0.0)
    engine.parallel_sends = 2
    engine.failures = [Throttled("Pair rate limit hit (131056)", retry_after=0.5, whole_connection=False)]

    async with run_dispatcher(desk.connection.id, engine):
        await engine.wait_for_sent(1)
        assert engine.sent[0].message.text == "para o Bruno"

        async def told_to_wait() -> bool:
            return (await reload(context, limited.id)).error is not None

        await eventually(told_to_wait)
        assert (await reload(context, limited.id)).status == MessageStatus.PENDING
        await clock.advance(0.5)
        await engine.wait_for_sent(2)
        assert (await status_becomes(context, limited.id, MessageStatus.SENT)).send_attempts == 0


async def test_template_message_reaches_the_engine_as_a_template(
    context: AppContext, desk: Desk, run_dispatcher: RunDispatcher
) -> None:
    (ticket,) = await chats(context, desk, 1)
    template = {"name": "pedido_pronto", "language": "pt_BR", "header": [], "body": [{"text": "Ana", "name": None}]}
    await queue_message(context, ticket, "Olá Ana, seu pedido está pronto.", extra={"template": template})  # type: ignore[arg-type]
    engine = FakeEngine()

    async with run_dispatcher(desk.connection.id, engine):
        await engine.wait_for_sent(1)

    assert engine.sent[0].message.template == OutgoingTemplate(
        name="pedido_pronto", language="pt_BR", body=(TemplateParameter("Ana"),)
    )
    assert engine.sent[0].message.text == "Olá Ana, seu pedido está pronto."


async def test_reaction_and_read_mark_are_told_once_and_then_forgotten(
    context: AppContext, desk: Desk, run_dispatcher: RunDispatcher
) -> None:
    contact = await make_contact(context, phone="5511900012345")
    ticket = await make_ticket(context, connection=desk.connection, contact=contact)
    inbound = await make_message(context, ticket=ticket, body="Chegou?")
    async with unit_of_work(context.sessionmaker) as session:
        message = await session.get(Message, inbound.id)
        assert message is not None
        message.external_id = "wamid.customer-1"
        queue_action(session, message, ActionKind.READ)
        queue_action(session, message, ActionKind.REACTION, "👍")
    engine = FakeEngine()

    async with run_dispatcher(desk.connection.id, engine):

        async def all_told() -> bool:
            async with unit_of_work(context.sessionmaker) as session:
                left = await session.scalar(select(func.count()).select_from(MessageAction))
            return left == 0

        await eventually(all_told)

    assert engine.read_marks == [("5511900012345", ["wamid.customer-1"])]
    assert engine.reactions == [("5511900012345", "wamid.customer-1", "👍")]
