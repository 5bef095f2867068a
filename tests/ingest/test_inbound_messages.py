"""The inbound pipeline turns received messages into contacts, tickets and messages, once each."""

from __future__ import annotations

import asyncio
from typing import TypeVar

import pytest
from sqlalchemy import func, select

from tests.conftest import EventLog
from tests.ingest.inbound import deliver, in_group, moment, next_external_id, received
from tests.media.conftest import stored_files
from tests.media.samples import PNG
from tests.tickets.factories import Desk, make_connection
from zapdesk.contacts.models import Contact
from zapdesk.context import AppContext
from zapdesk.db.uow import unit_of_work
from zapdesk.engine.events import (
    Chat,
    ContactCardContent,
    LocationContent,
    MediaContent,
    MediaKind,
    MessageReceived,
    UnsupportedContent,
)
from zapdesk.ingest.service import ingest_events
from zapdesk.media.store import MediaStore
from zapdesk.messages.models import Message, MessageStatus, MessageType
from zapdesk.settings.service import IGNORE_GROUP_MESSAGES, set_setting
from zapdesk.tickets.models import Ticket, TicketStatus

CUSTOMER = "5511988887777"
RowT = TypeVar("RowT", Message, Ticket, Contact)


async def _all(context: AppContext, model: type[RowT]) -> list[RowT]:
    async with context.sessionmaker() as session:
        return list((await session.execute(select(model).order_by(model.id))).scalars())  # type: ignore[attr-defined]


async def test_first_message_creates_contact_pending_ticket_and_message_and_announces_them(
    context: AppContext, desk: Desk, media_store: MediaStore, published: EventLog
) -> None:
    event = received(CUSTOMER, "Oi, preciso de ajuda", push_name="Maria Silva", at=moment(5))

    await deliver(context, desk.connection.id, event, media_store)

    (contact,) = await _all(context, Contact)
    assert (contact.phone, contact.push_name, contact.name) == (CUSTOMER, "Maria Silva", "Maria Silva")
    (ticket,) = await _all(context, Ticket)
    assert ticket.status == TicketStatus.PENDING
    assert ticket.contact_id == contact.id and ticket.connection_id == desk.connection.id
    assert ticket.queue_id == desk.queue.id  # the connection's default queue
    assert (ticket.unread_count, ticket.last_message_preview, ticket.last_message_at) == (
        1,
        "Oi, preciso de ajuda",
        moment(5),
    )
    (message,) = await _all(context, Message)
    assert (message.body, message.from_me, message.external_id, message.ticket_id) == (
        "Oi, preciso de ajuda",
        False,
        event.external_id,
        ticket.id,
    )
    assert message.sender_name == "Maria Silva"
    assert [e.payload["id"] for e in published.named("ticket.created")] == [ticket.id]
    (created,) = published.named("message.created")
    assert created.payload["body"] == "Oi, preciso de ajuda"
    assert f"queue:{desk.queue.id}" in created.rooms
    assert published.named("ticket.updated")[-1].payload["unread_count"] == 1


async def test_second_message_from_same_contact_reuses_open_ticket(
    context: AppContext, desk: Desk, media_store: MediaStore, published: EventLog
) -> None:
    await deliver(context, desk.connection.id, received(CUSTOMER, "Oi", at=moment(1)), media_store)
    await deliver(context, desk.connection.id, received(CUSTOMER, "Tem alguém aí?", at=moment(2)), media_store)

    (ticket,) = await _all(context, Ticket)
    assert (ticket.unread_count, ticket.last_message_preview) == (2, "Tem alguém aí?")
    assert [m.body for m in await _all(context, Message)] == ["Oi", "Tem alguém aí?"]
    assert len(published.named("ticket.created")) == 1


async def test_message_after_the_ticket_was_closed_opens_a_new_pending_ticket(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    await deliver(context, desk.connection.id, received(CUSTOMER, "Oi"), media_store)
    async with unit_of_work(context.sessionmaker) as session:
        (ticket,) = (await session.execute(select(Ticket))).scalars()
        ticket.status = TicketStatus.CLOSED

    await deliver(context, desk.connection.id, received(CUSTOMER, "Voltei"), media_store)

    tickets = await _all(context, Ticket)
    assert [t.status for t in tickets] == [TicketStatus.CLOSED, TicketStatus.PENDING]
    assert tickets[0].contact_id == tickets[1].contact_id


async def test_same_contact_on_another_connection_gets_its_own_ticket(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    other = await make_connection(context, name="Financeiro")
    await deliver(context, desk.connection.id, received(CUSTOMER, "Oi, vendas"), media_store)
    await deliver(context, other.id, received(CUSTOMER, "Oi, financeiro"), media_store)

    assert len(await _all(context, Contact)) == 1
    assert sorted(t.connection_id for t in await _all(context, Ticket)) == sorted([desk.connection.id, other.id])


async def test_same_external_id_delivered_twice_is_stored_once(
    context: AppContext, desk: Desk, media_store: MediaStore, published: EventLog
) -> None:
    event = received(CUSTOMER, "Oi")
    await deliver(context, desk.connection.id, event, media_store)
    published.events.clear()

    await deliver(context, desk.connection.id, event, media_store)

    assert len(await _all(context, Message)) == 1
    (ticket,) = await _all(context, Ticket)
    assert ticket.unread_count == 1
    assert published.events == []


async def test_same_external_id_delivered_concurrently_is_stored_once_with_one_contact_and_ticket(
    context: AppContext, desk: Desk, media_store: MediaStore, published: EventLog
) -> None:
    event = received(CUSTOMER, "Oi")

    await asyncio.gather(*(deliver(context, desk.connection.id, event, media_store) for _ in range(2)))

    assert len(await _all(context, Message)) == 1
    assert len(await _all(context, Ticket)) == 1
    assert len(await _all(context, Contact)) == 1
    # The losing delivery announced nothing: its contact and ticket events went with its rolled-back SAVEPOINT.
    assert len(published.named("message.created")) == 1
    assert len(published.named("ticket.created")) == 1


def _photo(external_id: str) -> MessageReceived:
    return received(CUSTOMER, MediaContent(kind=MediaKind.IMAGE, mime="image/png", data=PNG), external_id=external_id)


async def test_same_file_delivered_concurrently_is_kept_once_on_disk(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    event = _photo(next_external_id())

    await asyncio.gather(*(deliver(context, desk.connection.id, event, media_store) for _ in range(2)))

    (message,) = await _all(context, Message)
    (kept,) = stored_files(media_store)
    assert kept == media_store.path_of(message.media_path or "")


async def test_a_received_file_is_deleted_when_the_transaction_storing_it_fails(
    context: AppContext, desk: Desk, media_store: MediaStore, published: EventLog
) -> None:
    with pytest.raises(RuntimeError, match="database gone"):
        async with unit_of_work(context.sessionmaker, context.publish) as session:
            events = [_photo(next_external_id())]
            await ingest_events(session, connection_id=desk.connection.id, events=events, media_store=media_store)
            raise RuntimeError("database gone")  # what a later event of the batch, or the connection, may do

    assert await _all(context, Message) == []
    assert stored_files(media_store) == []
    assert published.events == []


async def test_same_external_id_on_two_connections_is_two_messages(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    other = await make_connection(context)
    external_id = next_external_id()
    await deliver(context, desk.connection.id, received(CUSTOMER, "Oi", external_id=external_id), media_store)
    await deliver(context, other.id, received(CUSTOMER, "Oi", external_id=external_id), media_store)

    assert len(await _all(context, Message)) == 2


async def test_lid_then_phone_forms_of_one_person_are_one_contact(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    lid = "207769883451234"
    await deliver(context, desk.connection.id, received(None, "Oi (pelo LID)", lid=lid), media_store)
    await deliver(context, desk.connection.id, received(CUSTOMER, "Oi de novo", lid=lid), media_store)

    (contact,) = await _all(context, Contact)
    assert (contact.phone, contact.lid) == (CUSTOMER, lid)
    (ticket,) = await _all(context, Ticket)
    assert ticket.unread_count == 2


async def test_phone_then_lid_only_forms_of_one_person_are_one_contact(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    lid = "207769883451234"
    await deliver(context, desk.connection.id, received(CUSTOMER, "Oi", lid=lid), media_store)
    await deliver(context, desk.connection.id, received(None, "Só o LID agora", lid=lid), media_store)

    (contact,) = await _all(context, Contact)
    assert (contact.phone, contact.lid) == (CUSTOMER, lid)
    assert len(await _all(context, Ticket)) == 1


async def test_phone_with_punctuation_and_plain_digits_are_one_contact(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    await deliver(context, desk.connection.id, received("+55 (11) 98888-7777", "Oi"), media_store)
    await deliver(context, desk.connection.id, received(CUSTOMER, "Oi de novo"), media_store)

    (contact,) = await _all(context, Contact)
    assert contact.phone == CUSTOMER


async def test_message_typed_on_business_phone_is_stored_as_outgoing(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    await deliver(context, desk.connection.id, received(CUSTOMER, "Oi"), media_store)
    await deliver(
        context,
        desk.connection.id,
        received("5511900000001", "Respondi pelo celular", push_name="Loja", chat=Chat(address=CUSTOMER), from_me=True),
        media_store,
    )

    messages = await _all(context, Message)
    assert [(m.from_me, m.status, m.author_id) for m in messages] == [
        (False, MessageStatus.SENT, None),
        (True, MessageStatus.SENT, None),
    ]
    (ticket,) = await _all(context, Ticket)
    assert (ticket.unread_count, ticket.last_message_preview) == (1, "Respondi pelo celular")
    (contact,) = await _all(context, Contact)
    assert contact.push_name == "Maria Silva"  # our own push name never overwrote the customer's


async def test_group_messages_make_one_ticket_per_group_with_each_sender_named(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    group = "120363025246125486"
    await deliver(
        context, desk.connection.id, in_group(group, "5511911112222", "Oi grupo", member_name="Ana"), media_store
    )
    await deliver(
        context, desk.connection.id, in_group(group, "5511933334444", "Olá", member_name="Bruno"), media_store
    )

    (contact,) = await _all(context, Contact)
    assert (contact.phone, contact.is_group, contact.name) == (group, True, "Família")
    (ticket,) = await _all(context, Ticket)
    assert ticket.unread_count == 2
    messages = await _all(context, Message)
    assert [(m.sender_name, m.extra.get("sender_phone")) for m in messages] == [
        ("Ana", "5511911112222"),
        ("Bruno", "5511933334444"),
    ]


async def test_group_messages_are_ignored_when_the_setting_says_so(
    context: AppContext, desk: Desk, media_store: MediaStore, published: EventLog
) -> None:
    async with unit_of_work(context.sessionmaker) as session:
        await set_setting(session, IGNORE_GROUP_MESSAGES.name, True)

    await deliver(
        context, desk.connection.id, in_group("120363025246125486", CUSTOMER, "Oi", member_name="Ana"), media_store
    )
    await deliver(context, desk.connection.id, received(CUSTOMER, "Mas fora do grupo eu falo"), media_store)

    assert [m.body for m in await _all(context, Message)] == ["Mas fora do grupo eu falo"]
    assert [c.is_group for c in await _all(context, Contact)] == [False]


async def test_unsupported_content_is_stored_and_says_what_it_was(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    await deliver(
        context, desk.connection.id, received(CUSTOMER, UnsupportedContent(kind="pollCreationMessage")), media_store
    )

    (message,) = await _all(context, Message)
    assert message.type == MessageType.UNSUPPORTED
    assert "pollCreationMessage" in message.body
    assert message.extra == {"kind": "pollCreationMessage"}
    (ticket,) = await _all(context, Ticket)
    assert ticket.unread_count == 1


async def test_location_and_contact_card_are_stored_with_their_details(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    location = LocationContent(latitude=-23.5613, longitude=-46.6565, name="MASP", address="Av. Paulista, 1578")
    card = ContactCardContent(display_name="João", vcard="BEGIN:VCARD\nFN:João\nEND:VCARD")
    await deliver(context, desk.connection.id, received(CUSTOMER, location), media_store)
    await deliver(context, desk.connection.id, received(CUSTOMER, card), media_store)

    located, carded = await _all(context, Message)
    assert located.type == MessageType.LOCATION
    assert (located.extra["latitude"], located.extra["longitude"]) == (-23.5613, -46.6565)
    assert located.body == "MASP — Av. Paulista, 1578"
    assert (carded.type, carded.body, carded.extra["vcard"]) == (MessageType.CONTACT, "João", card.vcard)


async def test_quoted_reply_points_at_the_quoted_message(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    first = received(CUSTOMER, "Qual o preço?")
    await deliver(context, desk.connection.id, first, media_store)
    await deliver(
        context, desk.connection.id, received(CUSTOMER, "Respondendo", quoted_id=first.external_id), media_store
    )

    original, reply = await _all(context, Message)
    assert (reply.quoted_message_id, reply.quoted_external_id) == (original.id, first.external_id)


async def test_older_backlog_message_does_not_replace_a_newer_preview(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    await deliver(context, desk.connection.id, received(CUSTOMER, "Mais nova", at=moment(60)), media_store)
    await deliver(context, desk.connection.id, received(CUSTOMER, "Mais antiga", at=moment(10)), media_store)

    (ticket,) = await _all(context, Ticket)
    assert (ticket.last_message_preview, ticket.last_message_at, ticket.unread_count) == ("Mais nova", moment(60), 2)


async def test_message_for_an_unreadable_address_is_skipped_without_failing(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    await deliver(context, desk.connection.id, received("status@broadcast", "?"), media_store)

    assert await _all(context, Message) == []


async def test_fifty_customers_writing_twenty_messages_each_concurrently_make_fifty_tickets_in_order(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    customers = [f"55119{index:08d}" for index in range(50)]

    async def customer_writes(phone: str) -> None:
        for number in range(20):
            event = received(phone, f"{phone} #{number:02d}", push_name=f"Cliente {phone[-3:]}")
            await deliver(context, desk.connection.id, event, media_store)
            if number % 5 == 0:
                # WhatsApp redelivers now and then: the copy must change nothing.
                await deliver(context, desk.connection.id, event, media_store)

    await asyncio.gather(*(customer_writes(phone) for phone in customers))

    async with context.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Ticket)) == 50
        assert await session.scalar(select(func.count()).select_from(Message)) == 1000
        assert await session.scalar(select(func.count(func.distinct(Message.external_id)))) == 1000
        rows = (await session.execute(select(Ticket.id, Ticket.unread_count))).all()
        assert {unread for _, unread in rows} == {20}
        messages = (await session.execute(select(Message.ticket_id, Message.body).order_by(Message.id))).all()
    per_ticket: dict[int, list[str]] = {}
    for ticket_id, body in messages:
        per_ticket.setdefault(ticket_id, []).append(body)
    for bodies in per_ticket.values():
        phone = bodies[0].split(" ")[0]
        assert bodies == [f"{phone} #{number:02d}" for number in range(20)]
