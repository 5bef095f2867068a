"""Telling the customer who is serving them: a message on accept and on transfer (with variables), and an
agent's name in bold above what they write, on WhatsApp only."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from tests.automation.conftest import Automaton
from tests.automation.helpers import Conversation
from tests.tickets.factories import Desk
from zapdesk.context import AppContext
from zapdesk.db.uow import unit_of_work
from zapdesk.media.store import MediaStore
from zapdesk.messages.models import Message
from zapdesk.outbox.service import signed
from zapdesk.settings.service import AGENT_SIGNATURE, set_setting

MESSAGES = {
    "accept": "Olá {{first_name}}, você está sendo atendido por {{agent}}.",
    "transfer": "Sua conversa foi transferida para {{queue}}.",
}


@pytest.fixture
async def talk(desk: Desk, client: httpx.AsyncClient, automaton: Automaton, media_store: MediaStore) -> Conversation:
    conversation = Conversation(desk, client, automaton, media_store)
    await conversation.configure(messages=MESSAGES)
    await conversation.customer_says("Oi")
    return conversation


async def test_accepting_tells_the_customer_who_serves_them(talk: Conversation) -> None:
    await talk.agent("accept")

    assert await talk.automatic() == [("accepted", "Olá João, você está sendo atendido por Iris In-Queue.")]


async def test_a_transfer_to_another_queue_tells_the_customer_where_they_are(
    talk: Conversation, client: httpx.AsyncClient, desk: Desk, automaton: Automaton
) -> None:
    await talk.agent("accept")
    ticket = await talk.ticket()

    response = await client.patch(
        f"/api/tickets/{ticket.id}", json={"queue_id": desk.other_queue.id}, headers=desk.headers("admin")
    )
    await automaton.react()

    assert response.status_code == 200, response.text
    assert await talk.automatic() == [
        ("accepted", "Olá João, você está sendo atendido por Iris In-Queue."),
        ("transferred", "Sua conversa foi transferida para Vendas."),
    ]


async def test_nothing_is_said_when_the_connection_has_no_such_messages(
    talk: Conversation, automaton: Automaton
) -> None:
    await talk.configure()
    await talk.agent("accept")

    assert await talk.automatic() == []


async def test_an_agents_name_goes_out_in_bold_but_the_chat_shows_only_the_text(
    talk: Conversation, client: httpx.AsyncClient, desk: Desk
) -> None:
    await talk.configure()
    await talk.agent("accept")
    await talk.agent_says("Posso ajudar?")

    async with desk.context.sessionmaker() as session:
        message = (await session.execute(select(Message).where(Message.author_id.is_not(None)))).scalar_one()
    shown = await client.get(f"/api/tickets/{message.ticket_id}/messages", headers=desk.headers("agent_in_queue"))
    assert message.body == "Posso ajudar?"
    assert signed(message) == "*Iris In-Queue:*\nPosso ajudar?"
    assert [item["body"] for item in shown.json()["items"]][-1] == "Posso ajudar?"


async def test_the_signature_is_off_for_an_agent_who_turns_it_off_or_when_the_workspace_does(
    talk: Conversation, client: httpx.AsyncClient, desk: Desk, context: AppContext
) -> None:
    await talk.configure()
    await talk.agent("accept")
    mine = await client.patch("/api/auth/me", json={"signature": False}, headers=desk.headers("agent_in_queue"))
    await talk.agent_says("Sem assinatura")
    await client.patch("/api/auth/me", json={"signature": True}, headers=desk.headers("agent_in_queue"))
    async with unit_of_work(context.sessionmaker) as session:
        await set_setting(session, AGENT_SIGNATURE.name, False)
    await talk.agent_says("Também sem")

    assert (mine.status_code, mine.json()["signature"]) == (200, False)
    async with context.sessionmaker() as session:
        written = (await session.execute(select(Message).where(Message.author_id.is_not(None)))).scalars().all()
    assert [signed(message) for message in written] == ["Sem assinatura", "Também sem"]
