"""Events that waited together are stored together, with the same outcome as one at a time."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from tests.conftest import EventLog, executed_statements
from tests.ingest.inbound import deliver, deliver_batch, deliver_together, moment, received
from tests.tickets.factories import Desk, make_connection, make_contact, make_ticket
from zapdesk.contacts.models import Contact
from zapdesk.context import AppContext
from zapdesk.db.base import utcnow
from zapdesk.engine.events import ReactionContent
from zapdesk.ingest.service import Inbound, InboundEvent
from zapdesk.media.store import MediaStore
from zapdesk.messages.models import Message
from zapdesk.tickets.models import Ticket, TicketStatus

ANA, BRUNO, CARLA = "5511911110001", "5511911110002", "5511911110003"


async def _messages(context: AppContext) -> list[Message]:
    async with context.sessionmaker() as session:
        return list((await session.execute(select(Message).order_by(Message.id))).scalars())


async def _tickets_by_phone(context: AppContext) -> dict[str, Ticket]:
    async with context.sessionmaker() as session:
        rows = await session.execute(select(Contact.phone, Ticket).join(Ticket, Ticket.contact_id == Contact.id))
        return {phone: ticket for phone, ticket in rows.all()}


async def test_messages_of_many_customers_stored_together_keep_their_order_and_update_each_ticket_once(
    context: AppContext, desk: Desk, media_store: MediaStore, published: EventLog
) -> None:
    batch: list[InboundEvent] = [
        received(phone, f"{phone[-1]}{number}", push_name=f"Cliente {phone[-1]}", at=moment(number))
        for number in range(3)
        for phone in (ANA, BRUNO, CARLA)
    ]

    await deliver_together(context, desk.connection.id, batch, media_store)

    assert [message.body for message in await _messages(context)] == [
        "10",
        "20",
        "30",
        "11",
        "21",
        "31",
        "12",
        "22",
        "32",
    ]
    tickets = await _tickets_by_phone(context)
    assert {phone: (t.unread_count, t.last_message_preview) for phone, t in tickets.items()} == {
        ANA: (3, "12"),
        BRUNO: (3, "22"),
        CARLA: (3, "32"),
    }
    assert [event.payload["body"] for event in published.named("message.created")] == [
        "10",
        "11",
        "12",
        "20",
        "21",
        "22",
        "30",
        "31",
        "32",
    ]  # each ticket's messages in order
    assert sorted(event.payload["id"] for event in published.named("ticket.created")) == sorted(
        ticket.id for ticket in tickets.values()
    )
    updates = published.named("ticket.updated")
    assert sorted(event.payload["id"] for event in updates) == sorted(ticket.id for ticket in tickets.values())
    assert {event.payload["unread_count"] for event in updates} == {3}


async def test_a_batch_skips_messages_already_stored_and_copies_within_itself(
    context: AppContext, desk: Desk, media_store: MediaStore, published: EventLog
) -> None:
    first = received(ANA, "Oi")
    await deliver(context, desk.connection.id, first, media_store)
    published.events.clear()
    second = received(ANA, "Tudo bem?")

    await deliver_together(context, desk.connection.id, [first, second, second], media_store)

    assert [message.body for message in await _messages(context)] == ["Oi", "Tudo bem?"]
    assert (await _tickets_by_phone(context))[ANA].unread_count == 2
    assert [event.payload["body"] for event in published.named("message.created")] == ["Tudo bem?"]


async def test_a_reply_and_a_reaction_in_the_same_batch_find_the_message_they_point_at(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    question = received(ANA, "Qual o prazo?")
    reply = received(ANA, "Digo, para São Paulo", quoted_id=question.external_id)
    reaction = received(ANA, ReactionContent(target_id=question.external_id, emoji="👍"))

    await deliver_together(context, desk.connection.id, [question, reply, reaction], media_store)

    stored_question, stored_reply = await _messages(context)
    assert stored_reply.quoted_message_id == stored_question.id
    assert stored_question.reactions == {ANA: "👍"}


async def test_a_customer_known_as_they_are_is_not_announced_again_but_a_new_push_name_is(
    context: AppContext, desk: Desk, media_store: MediaStore, published: EventLog
) -> None:
    await deliver(context, desk.connection.id, received(ANA, "Oi", push_name="Ana"), media_store)
    published.events.clear()

    await deliver_together(
        context,
        desk.connection.id,
        [received(ANA, "De novo", push_name="Ana"), received(ANA, "Mudei de nome", push_name="Ana Paula")],
        media_store,
    )

    (contact,) = [event.payload for event in published.named("contact.updated")]
    assert (contact["phone"], contact["name"]) == (ANA, "Ana Paula")
    assert (await _tickets_by_phone(context))[ANA].unread_count == 3


async def test_overlapping_batches_delivered_at_once_store_each_message_once(
    context: AppContext, desk: Desk, media_store: MediaStore, published: EventLog
) -> None:
    a, b, c, d = (received(ANA, text) for text in "abcd")

    await asyncio.gather(
        deliver_together(context, desk.connection.id, [a, b, c], media_store),
        deliver_together(context, desk.connection.id, [b, c, d], media_store),
    )

    assert sorted(message.body for message in await _messages(context)) == ["a", "b", "c", "d"]
    tickets = await _tickets_by_phone(context)
    assert tickets[ANA].unread_count == 4
    assert len(published.named("message.created")) == 4
    assert len(published.named("ticket.created")) == 1


# --- events of several connections in one batch (the worker's group commit) --------------------------------------


async def test_a_batch_from_three_connections_stores_each_message_in_its_own_connections_ticket(
    context: AppContext, desk: Desk, media_store: MediaStore, published: EventLog
) -> None:
    lines = [desk.connection, await make_connection(context), await make_connection(context)]
    # Ids are unique per connection only: two connections may each receive a message with the same one.
    batch = [
        Inbound(line.id, received(ANA, f"Oi, linha {number}", external_id=f"SAME{number % 2}", at=moment(number)))
        for number, line in enumerate(lines)
    ]
    batch.append(Inbound(lines[1].id, received(BRUNO, "Bom dia", at=moment(3))))

    await deliver_batch(context, batch, media_store)

    stored = await _messages(context)
    assert [(message.connection_id, message.external_id, message.body) for message in stored] == [
        (lines[0].id, "SAME0", "Oi, linha 0"),
        (lines[1].id, "SAME1", "Oi, linha 1"),
        (lines[2].id, "SAME0", "Oi, linha 2"),
        (lines[1].id, batch[3].event.external_id, "Bom dia"),
    ]
    async with context.sessionmaker() as session:
        tickets = {ticket.id: ticket for ticket in (await session.execute(select(Ticket))).scalars()}
    assert len(tickets) == 4  # Ana on each line, Bruno on the second
    assert all(tickets[message.ticket_id].connection_id == message.connection_id for message in stored)
    assert len({tickets[message.ticket_id].contact_id for message in stored[:3]}) == 1  # one Ana, three tickets
    assert len(published.named("message.created")) == 4


async def test_a_batch_of_messages_already_stored_on_another_connection_stores_them_again_there(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    other = await make_connection(context)
    first = received(ANA, "Oi")
    await deliver(context, desk.connection.id, first, media_store)

    await deliver_batch(
        context, [Inbound(desk.connection.id, first), Inbound(other.id, first), Inbound(other.id, first)], media_store
    )

    assert sorted(message.connection_id for message in await _messages(context)) == [desk.connection.id, other.id]


async def test_a_change_in_a_batch_finds_its_connections_earlier_messages_while_others_wait_to_be_stored(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    other = await make_connection(context)
    question = received(ANA, "Qual o prazo?")
    batch = [
        Inbound(other.id, received(BRUNO, "Bom dia")),
        Inbound(desk.connection.id, question),
        Inbound(other.id, received(BRUNO, "Tem estoque?")),
        Inbound(desk.connection.id, received(ANA, ReactionContent(target_id=question.external_id, emoji="👍"))),
        Inbound(other.id, received(BRUNO, "Obrigado")),
    ]

    await deliver_batch(context, batch, media_store)

    stored = {message.body: message for message in await _messages(context)}
    assert stored.keys() == {"Bom dia", "Qual o prazo?", "Tem estoque?", "Obrigado"}
    assert stored["Qual o prazo?"].reactions == {ANA: "👍"}
    tickets = await _tickets_by_phone(context)
    assert (tickets[ANA].unread_count, tickets[BRUNO].unread_count) == (1, 3)


async def test_a_rating_in_a_batch_answers_only_the_survey_of_its_own_connection(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    other = await make_connection(context)
    contact = await make_contact(context, phone=ANA)
    surveyed = await make_ticket(context, connection=desk.connection, contact=contact, status=TicketStatus.CLOSED)
    async with context.sessionmaker() as session:
        ticket = await session.get(Ticket, surveyed.id)
        assert ticket is not None
        ticket.survey_until = utcnow() + timedelta(hours=1)
        await session.commit()

    await deliver_batch(
        context,
        [Inbound(other.id, received(ANA, "5", push_name=None)), Inbound(desk.connection.id, received(ANA, "5"))],
        media_store,
    )

    by_connection = {message.connection_id: message.ticket_id for message in await _messages(context)}
    assert by_connection[desk.connection.id] == surveyed.id
    assert by_connection[other.id] != surveyed.id  # no survey waits there: a conversation of its own


async def test_a_batch_costs_as_many_statements_for_ten_connections_as_for_two(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    lines = [desk.connection] + [await make_connection(context) for _ in range(9)]
    customers = [f"55119222{number:05d}" for number in range(len(lines))]

    def batch(lines_used: int, text: str) -> list[Inbound]:
        conversations = list(zip(lines, customers, strict=True))[:lines_used]
        return [Inbound(line.id, received(phone, text)) for line, phone in conversations]

    await deliver_batch(context, batch(len(lines), "Oi"), media_store)  # every conversation has its ticket now

    async def statements(inbound: list[Inbound]) -> int:
        with executed_statements(context) as sent:
            await deliver_batch(context, inbound, media_store)
        return len(sent)

    assert await statements(batch(10, "De novo")) == await statements(batch(2, "Mais uma"))
    assert len(await _messages(context)) == 10 + 10 + 2
