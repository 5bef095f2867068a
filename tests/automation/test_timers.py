"""Timers on waiting tickets: closing after the customer's silence (with a reminder before), giving a ticket
back when its agent is silent. Time moves because the test says so."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from tests.automation.conftest import Automaton
from tests.automation.helpers import Conversation
from tests.ingest.inbound import deliver, received
from tests.tickets.factories import Desk
from zapdesk.automation.models import Timer
from zapdesk.media.store import MediaStore
from zapdesk.messages.models import Message
from zapdesk.tickets.models import TicketStatus

TIMERS = {
    "close_after_minutes": 60,
    "close_message": "Encerramos por falta de resposta, {{first_name}}. É só escrever para voltar.",
    "remind_before_minutes": 15,
    "reminder_message": "Ainda está aí, {{first_name}}?",
    "pending_after_minutes": 10,
}


@pytest.fixture
async def talk(desk: Desk, client: httpx.AsyncClient, automaton: Automaton, media_store: MediaStore) -> Conversation:
    conversation = Conversation(desk, client, automaton, media_store)
    await conversation.configure(timers=TIMERS)
    await conversation.customer_says("Oi, meu pedido não chegou")
    await conversation.agent("accept")
    return conversation


async def _timers(desk: Desk) -> list[tuple[str, int]]:
    async with desk.context.sessionmaker() as session:
        rows = (await session.execute(select(Timer).order_by(Timer.due_at))).scalars()
        return [(timer.kind, timer.ticket_id) for timer in rows]


async def test_a_silent_customer_is_reminded_then_the_ticket_closes_with_its_message(
    talk: Conversation, automaton: Automaton
) -> None:
    await talk.agent_says("Pode me passar o número do pedido?")

    await automaton.advance(minutes=44)
    assert await talk.automatic() == []
    await automaton.advance(minutes=1)
    assert await talk.automatic() == [("reminder", "Ainda está aí, João?")]
    await automaton.advance(minutes=14)
    assert (await talk.ticket()).status == TicketStatus.OPEN
    await automaton.advance(minutes=1)

    ticket = await talk.ticket()
    assert ticket.status == TicketStatus.CLOSED
    assert await talk.automatic() == [
        ("reminder", "Ainda está aí, João?"),
        ("closed_for_silence", "Encerramos por falta de resposta, João. É só escrever para voltar."),
    ]
    assert await _timers(talk.desk) == []


async def test_the_customers_answer_disarms_the_closing_and_the_agents_next_message_rearms_it(
    talk: Conversation, automaton: Automaton
) -> None:
    await talk.agent_says("Pode me passar o número do pedido?")
    await automaton.advance(minutes=30)
    await talk.customer_says("É o 4711")
    assert [kind for kind, _ in await _timers(talk.desk)] == ["give_back"]

    await talk.agent_says("Obrigado, vou verificar.")
    await automaton.advance(minutes=59)
    assert (await talk.ticket()).status == TicketStatus.OPEN
    await automaton.advance(minutes=1)

    assert (await talk.ticket()).status == TicketStatus.CLOSED
    assert [what for what, _ in await talk.automatic()] == ["reminder", "closed_for_silence"]


async def test_an_agent_who_does_not_answer_gives_the_ticket_back_to_its_queue(
    talk: Conversation, automaton: Automaton, desk: Desk
) -> None:
    await talk.customer_says("Alguém?")
    await automaton.advance(minutes=5)
    await talk.customer_says("Oi??")  # the agent is timed from the first message left unanswered

    await automaton.advance(minutes=5)

    ticket = await talk.ticket()
    assert (ticket.status, ticket.assignee_id, ticket.queue_id) == (TicketStatus.PENDING, None, desk.queue.id)
    assert await talk.automatic() == []


async def test_an_agent_who_answers_in_time_keeps_the_ticket(talk: Conversation, automaton: Automaton) -> None:
    await talk.customer_says("Alguém?")
    await automaton.advance(minutes=9)
    await talk.agent_says("Estou aqui!")
    await automaton.advance(minutes=5)

    assert (await talk.ticket()).status == TicketStatus.OPEN


async def test_a_timer_whose_reason_went_away_before_automation_saw_it_does_nothing(
    talk: Conversation, automaton: Automaton, desk: Desk, media_store: MediaStore
) -> None:
    """The customer answered a moment before the closing was due, and automation had not read it yet."""
    await talk.agent_says("Pode me passar o número do pedido?")
    await deliver(desk.context, desk.connection.id, received(talk.phone, "Achei: 4711"), media_store)
    automaton.now += timedelta(minutes=60)
    await automaton.automation.due_step()

    assert (await talk.ticket()).status == TicketStatus.OPEN
    assert await talk.automatic() == []


async def test_a_closing_already_closed_by_a_person_does_nothing(talk: Conversation, automaton: Automaton) -> None:
    await talk.agent_says("Resolvido!")
    await talk.agent("close")
    await automaton.advance(minutes=120)

    assert [what for what, _ in await talk.automatic()] == []
    assert await _timers(talk.desk) == []


async def test_each_timer_fires_once_however_often_the_workers_look(talk: Conversation, automaton: Automaton) -> None:
    await talk.agent_says("Pode me passar o número do pedido?")
    automaton.now += timedelta(minutes=61)

    for _ in range(3):
        await automaton.fire()

    async with talk.desk.context.sessionmaker() as session:
        closings = await session.scalar(
            select(func.count()).select_from(Message).where(Message.body.like("Encerramos%"))
        )
    assert closings == 1


async def test_a_ticket_given_back_and_written_to_in_one_batch_still_gets_the_out_of_hours_reply(
    desk: Desk, client: httpx.AsyncClient, automaton: Automaton, media_store: MediaStore
) -> None:
    """Automation locks the tickets it expects to answer before it reads a batch, judging by what it knew before
    the batch; this one it could not expect (it was open, an agent's, when the batch began), so it is locked on
    its own when its turn comes."""
    talk = Conversation(desk, client, automaton, media_store)
    closed = {"enabled": True, "message": "Estamos fechados.", "repeat_hours": 1}  # no interval: always closed
    await talk.configure(timers={"pending_after_minutes": 10}, hours=closed)
    await talk.customer_says("Oi")
    await talk.agent("accept")
    await talk.customer_says("Alguém?")
    assert await talk.automatic() == [("out_of_hours", "Estamos fechados.")]

    automaton.now += timedelta(hours=2)
    await automaton.automation.due_step()  # the agent's silence gives the ticket back; nobody has reacted yet
    await deliver(desk.context, desk.connection.id, received(talk.phone, "Ainda preciso de ajuda"), media_store)
    await automaton.react()

    assert (await talk.ticket()).status == TicketStatus.PENDING
    assert await talk.automatic() == [("out_of_hours", "Estamos fechados."), ("out_of_hours", "Estamos fechados.")]
