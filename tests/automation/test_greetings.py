"""A connection's greeting answers a customer's new ticket; its farewell follows a ticket's closing. Both are
written by automation after the commit that opened (or closed) the ticket, as ordinary pending messages."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select, update

from tests.automation.conftest import Automaton
from tests.conftest import EventLog
from tests.ingest.inbound import deliver, in_group, received
from tests.tickets.factories import Desk
from zapdesk.connections.models import Connection, Provider
from zapdesk.context import AppContext
from zapdesk.db.base import utcnow
from zapdesk.db.uow import unit_of_work
from zapdesk.media.store import MediaStore
from zapdesk.messages.models import Message, MessageStatus
from zapdesk.settings.service import SEND_GREETING_ON_NEW_TICKET, set_setting

CUSTOMER = "5511988887777"


async def _set_texts(context: AppContext, connection_id: int, *, greeting: str | None, farewell: str | None) -> None:
    async with unit_of_work(context.sessionmaker) as session:
        await session.execute(
            update(Connection)
            .where(Connection.id == connection_id)
            .values(greeting_message=greeting, farewell_message=farewell)
        )


async def _messages(context: AppContext) -> list[Message]:
    async with context.sessionmaker() as session:
        return list((await session.execute(select(Message).order_by(Message.id))).scalars())


async def _accepted_ticket(
    desk: Desk, client: httpx.AsyncClient, automaton: Automaton, media_store: MediaStore, text: str = "Oi"
) -> int:
    """A customer writes, and the agent of the queue accepts their ticket."""
    await deliver(desk.context, desk.connection.id, received(CUSTOMER, text, push_name="João Souza"), media_store)
    await automaton.react()
    ticket_id = (await _messages(desk.context))[0].ticket_id
    response = await client.patch(
        f"/api/tickets/{ticket_id}", json={"action": "accept"}, headers=desk.headers("agent_in_queue")
    )
    assert response.status_code == 200, response.text
    await automaton.react()
    return ticket_id


async def test_new_ticket_from_a_customer_gets_the_greeting_with_their_name(
    context: AppContext, desk: Desk, media_store: MediaStore, published: EventLog, automaton: Automaton
) -> None:
    await _set_texts(context, desk.connection.id, greeting="Olá, {{name}}! Já vamos te atender.", farewell=None)

    await deliver(context, desk.connection.id, received(CUSTOMER, "Oi", push_name="Maria Silva"), media_store)
    await automaton.react()

    inbound, greeting = await _messages(context)
    assert greeting.ticket_id == inbound.ticket_id
    assert (greeting.body, greeting.from_me, greeting.author_id, greeting.status) == (
        "Olá, Maria Silva! Já vamos te atender.",
        True,
        None,
        MessageStatus.PENDING,
    )
    assert greeting.extra == {"automatic": "greeting"}
    created = [e.payload for e in published.named("message.created")]
    assert [(p["body"], p["status"]) for p in created][-1] == ("Olá, Maria Silva! Já vamos te atender.", "pending")


async def test_greeting_is_sent_once_per_ticket_not_per_message(
    context: AppContext, desk: Desk, media_store: MediaStore, automaton: Automaton
) -> None:
    await _set_texts(context, desk.connection.id, greeting="Olá!", farewell=None)

    await deliver(context, desk.connection.id, received(CUSTOMER, "Oi"), media_store)
    await automaton.react()
    await deliver(context, desk.connection.id, received(CUSTOMER, "Alguém?"), media_store)
    await automaton.react()

    assert [m.body for m in await _messages(context)] == ["Oi", "Olá!", "Alguém?"]


async def test_messages_arriving_together_get_one_greeting_after_the_first(
    context: AppContext, desk: Desk, media_store: MediaStore, automaton: Automaton
) -> None:
    await _set_texts(context, desk.connection.id, greeting="Olá!", farewell=None)

    await deliver(context, desk.connection.id, received(CUSTOMER, "Oi"), media_store)
    await deliver(context, desk.connection.id, received(CUSTOMER, "Tudo bem?"), media_store)
    await automaton.react()

    assert [m.body for m in await _messages(context)] == ["Oi", "Tudo bem?", "Olá!"]


async def test_no_greeting_when_the_setting_is_off_or_the_connection_has_none(
    context: AppContext, desk: Desk, media_store: MediaStore, automaton: Automaton
) -> None:
    await deliver(context, desk.connection.id, received("5511911110000", "Sem saudação configurada"), media_store)
    await automaton.react()
    await _set_texts(context, desk.connection.id, greeting="Olá!", farewell=None)
    async with unit_of_work(context.sessionmaker) as session:
        await set_setting(session, SEND_GREETING_ON_NEW_TICKET.name, False)

    await deliver(context, desk.connection.id, received(CUSTOMER, "Saudação desligada"), media_store)
    await automaton.react()

    assert [m.body for m in await _messages(context)] == ["Sem saudação configurada", "Saudação desligada"]


async def test_no_greeting_for_a_ticket_opened_by_a_message_typed_on_the_business_phone_or_in_a_group(
    context: AppContext, desk: Desk, media_store: MediaStore, automaton: Automaton
) -> None:
    await _set_texts(context, desk.connection.id, greeting="Olá!", farewell=None)

    await deliver(
        context, desk.connection.id, received("5511900000001", "Oi, aqui é a loja", from_me=True), media_store
    )
    await deliver(
        context,
        desk.connection.id,
        in_group("120363025246125486", CUSTOMER, "Oi grupo", member_name="Ana"),
        media_store,
    )
    await automaton.react()

    assert [m.body for m in await _messages(context)] == ["Oi, aqui é a loja", "Oi grupo"]


async def test_closing_a_ticket_queues_the_farewell_with_the_contact_name(
    context: AppContext, desk: Desk, client: httpx.AsyncClient, automaton: Automaton, media_store: MediaStore
) -> None:
    await _set_texts(context, desk.connection.id, greeting=None, farewell="Obrigado, {{ name }}. Até logo!")
    ticket_id = await _accepted_ticket(desk, client, automaton, media_store)

    response = await client.patch(
        f"/api/tickets/{ticket_id}", json={"action": "close"}, headers=desk.headers("agent_in_queue")
    )
    await automaton.react()

    assert response.status_code == 200, response.text
    _, farewell = await _messages(context)
    assert (farewell.ticket_id, farewell.body, farewell.status, farewell.from_me) == (
        ticket_id,
        "Obrigado, João Souza. Até logo!",
        MessageStatus.PENDING,
        True,
    )
    # Closing again changes nothing, and says goodbye only once.
    await client.patch(f"/api/tickets/{ticket_id}", json={"action": "close"}, headers=desk.headers("agent_in_queue"))
    await automaton.react()
    assert len(await _messages(context)) == 2


async def test_a_farewell_quotes_the_tickets_protocol_number(
    context: AppContext, desk: Desk, client: httpx.AsyncClient, automaton: Automaton
) -> None:
    await _set_texts(context, desk.connection.id, greeting=None, farewell="Seu protocolo: {{protocol}}.")
    ticket = await desk.guarded_ticket()

    response = await client.patch(f"/api/tickets/{ticket.id}", json={"action": "close"}, headers=desk.headers("admin"))
    await automaton.react()

    (farewell,) = await _messages(context)
    assert farewell.body == f"Seu protocolo: {response.json()['protocol']}."
    assert farewell.body == f"Seu protocolo: {ticket.created_at.year}-{ticket.id:06d}."


async def test_closing_without_a_farewell_sends_nothing(
    context: AppContext, desk: Desk, client: httpx.AsyncClient, automaton: Automaton, media_store: MediaStore
) -> None:
    ticket_id = await _accepted_ticket(desk, client, automaton, media_store)

    response = await client.patch(f"/api/tickets/{ticket_id}", json={"action": "close"}, headers=desk.headers("admin"))
    await automaton.react()

    assert response.status_code == 200
    assert [m.body for m in await _messages(context)] == ["Oi"]


async def test_on_a_cloud_connection_no_farewell_goes_out_once_the_customer_service_window_closed(
    context: AppContext, desk: Desk, client: httpx.AsyncClient, automaton: Automaton, media_store: MediaStore
) -> None:
    await _set_texts(context, desk.connection.id, greeting=None, farewell="Até logo, {{name}}!")
    ticket_id = await _accepted_ticket(desk, client, automaton, media_store)
    async with unit_of_work(context.sessionmaker) as session:
        await session.execute(
            update(Connection).where(Connection.id == desk.connection.id).values(provider=Provider.CLOUD)
        )
        # The customer last wrote more than a day ago: WhatsApp refuses free text until they write again.
        await session.execute(update(Message).values(sent_at=utcnow() - timedelta(hours=25)))

    response = await client.patch(f"/api/tickets/{ticket_id}", json={"action": "close"}, headers=desk.headers("admin"))
    await automaton.react()

    assert response.status_code == 200
    assert [m.body for m in await _messages(context)] == ["Oi"]
