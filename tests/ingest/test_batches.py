"""Events that waited together are stored together, with the same outcome as one at a time."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from tests.conftest import EventLog
from tests.ingest.inbound import deliver, deliver_together, moment, received
from tests.tickets.factories import Desk
from zapdesk.contacts.models import Contact
from zapdesk.context import AppContext
from zapdesk.engine.events import ReactionContent
from zapdesk.ingest.service import InboundEvent
from zapdesk.media.store import MediaStore
from zapdesk.messages.models import Message
from zapdesk.tickets.models import Ticket

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
