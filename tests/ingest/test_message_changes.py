"""What WhatsApp says later about a stored message: reactions, edits, deletions, delivery and read receipts."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import EventLog
from tests.ingest.inbound import deliver, deliver_together, edited, receipt, received, revoked
from tests.outbox.helpers import queue_message, reload
from tests.tickets.factories import Desk, make_contact, make_ticket
from zapdesk.context import AppContext
from zapdesk.db.base import utcnow
from zapdesk.db.uow import unit_of_work
from zapdesk.engine.events import Chat, ReactionContent, ReceiptKind, SendResult
from zapdesk.media.store import MediaStore
from zapdesk.messages.models import Message, MessageStatus
from zapdesk.outbox.service import mark_sent
from zapdesk.tickets.models import Ticket

CUSTOMER = "5511988887777"


async def _only_message(context: AppContext) -> Message:
    async with context.sessionmaker() as session:
        (message,) = (await session.execute(select(Message))).scalars()
        return message


async def _ticket(context: AppContext, ticket_id: int) -> Ticket:
    async with context.sessionmaker() as session:
        ticket = await session.get(Ticket, ticket_id)
        assert ticket is not None
        return ticket


async def test_reaction_attaches_to_its_message_and_an_empty_emoji_removes_it(
    context: AppContext, desk: Desk, media_store: MediaStore, published: EventLog
) -> None:
    original = received(CUSTOMER, "Chegou o pedido")
    await deliver(context, desk.connection.id, original, media_store)
    published.events.clear()

    await deliver(
        context, desk.connection.id, received(CUSTOMER, ReactionContent(original.external_id, "👍")), media_store
    )
    liked = await _only_message(context)
    await deliver(
        context,
        desk.connection.id,
        received("5511900000001", ReactionContent(original.external_id, "❤️"), chat=Chat(CUSTOMER), from_me=True),
        media_store,
    )
    both = await _only_message(context)
    await deliver(
        context, desk.connection.id, received(CUSTOMER, ReactionContent(original.external_id, "")), media_store
    )
    removed = await _only_message(context)

    assert liked.reactions == {CUSTOMER: "👍"}
    assert both.reactions == {CUSTOMER: "👍", "me": "❤️"}
    assert removed.reactions == {"me": "❤️"}
    assert [e.payload["reactions"] for e in published.named("message.updated")] == [
        {CUSTOMER: "👍"},
        {CUSTOMER: "👍", "me": "❤️"},
        {"me": "❤️"},
    ]
    # A reaction is not a message: no new row, no unread bump.
    assert (await _ticket(context, removed.ticket_id)).unread_count == 1


async def test_reaction_to_an_unknown_message_is_ignored(
    context: AppContext, desk: Desk, media_store: MediaStore, published: EventLog
) -> None:
    await deliver(context, desk.connection.id, received(CUSTOMER, ReactionContent("NEVER-SEEN", "👍")), media_store)

    async with context.sessionmaker() as session:
        assert (await session.execute(select(Message))).first() is None
    assert published.events == []


async def test_edit_replaces_the_text_and_marks_the_message_edited(
    context: AppContext, desk: Desk, media_store: MediaStore, published: EventLog
) -> None:
    original = received(CUSTOMER, "Quero 2 pizzas")
    await deliver(context, desk.connection.id, original, media_store)

    await deliver(context, desk.connection.id, edited(original.external_id, "Quero 3 pizzas"), media_store)

    message = await _only_message(context)
    assert (message.body, message.is_edited) == ("Quero 3 pizzas", True)
    assert published.named("message.updated")[-1].payload["body"] == "Quero 3 pizzas"
    # It was the latest message, so the ticket list shows the new text.
    assert (await _ticket(context, message.ticket_id)).last_message_preview == "Quero 3 pizzas"


async def test_revoke_marks_the_message_deleted_and_keeps_it(
    context: AppContext, desk: Desk, media_store: MediaStore, published: EventLog
) -> None:
    original = received(CUSTOMER, "Mensagem errada")
    await deliver(context, desk.connection.id, original, media_store)

    await deliver(context, desk.connection.id, revoked(original.external_id), media_store)

    message = await _only_message(context)
    assert (message.is_deleted, message.body) == (True, "Mensagem errada")
    assert published.named("message.updated")[-1].payload["is_deleted"] is True
    assert (await _ticket(context, message.ticket_id)).last_message_preview == "🚫 Message deleted"


async def test_edit_or_revoke_of_an_unknown_message_is_ignored_quietly(
    context: AppContext, desk: Desk, media_store: MediaStore, published: EventLog
) -> None:
    await deliver(context, desk.connection.id, edited("NEVER-SEEN", "x"), media_store)
    await deliver(context, desk.connection.id, revoked("NEVER-SEEN"), media_store)
    await deliver(context, desk.connection.id, receipt(ReceiptKind.READ, "NEVER-SEEN"), media_store)

    assert published.events == []


async def _sent_message(context: AppContext, desk: Desk, external_id: str) -> Message:
    contact = await make_contact(context, phone=CUSTOMER)
    ticket = await make_ticket(context, connection=desk.connection, contact=contact)
    return await queue_message(
        context, ticket, "Seu pedido saiu", status=MessageStatus.SENT, external_id=external_id, sent_at=utcnow()
    )


async def test_receipts_move_our_messages_forward_and_never_back(
    context: AppContext, desk: Desk, media_store: MediaStore, published: EventLog
) -> None:
    message = await _sent_message(context, desk, "OUT-1")

    await deliver(context, desk.connection.id, receipt(ReceiptKind.DELIVERED, "OUT-1"), media_store)
    delivered = await reload(context, message.id)
    await deliver(context, desk.connection.id, receipt(ReceiptKind.READ, "OUT-1"), media_store)
    read = await reload(context, message.id)
    # Phones report out of order: a late "delivered" after "read" changes nothing.
    await deliver(context, desk.connection.id, receipt(ReceiptKind.DELIVERED, "OUT-1"), media_store)
    still_read = await reload(context, message.id)

    assert [delivered.status, read.status, still_read.status] == [
        MessageStatus.DELIVERED,
        MessageStatus.READ,
        MessageStatus.READ,
    ]
    assert [e.payload["status"] for e in published.named("message.updated")] == ["delivered", "read"]


async def test_receipts_stored_together_move_each_message_in_their_order(
    context: AppContext, desk: Desk, media_store: MediaStore, published: EventLog
) -> None:
    first = await _sent_message(context, desk, "OUT-1")
    second = await queue_message(
        context, await _ticket(context, first.ticket_id), "e mais", status=MessageStatus.SENT, external_id="OUT-2"
    )
    burst = [
        receipt(ReceiptKind.DELIVERED, "OUT-1"),
        receipt(ReceiptKind.DELIVERED, "OUT-2"),
        receipt(ReceiptKind.READ, "OUT-1"),
        receipt(ReceiptKind.DELIVERED, "OUT-1"),  # late: changes nothing
        receipt(ReceiptKind.READ, "NEVER-SEEN"),
    ]

    await deliver_together(context, desk.connection.id, list(burst), media_store)

    assert (await reload(context, first.id)).status == MessageStatus.READ
    assert (await reload(context, second.id)).status == MessageStatus.DELIVERED
    assert [(e.payload["id"], e.payload["status"]) for e in published.named("message.updated")] == [
        (first.id, "delivered"),
        (second.id, "delivered"),
        (first.id, "read"),
    ]


async def test_played_voice_note_counts_as_read_and_one_receipt_can_name_many_messages(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    first = await _sent_message(context, desk, "OUT-1")
    second = await queue_message(
        context, await _ticket(context, first.ticket_id), "e mais", status=MessageStatus.SENT, external_id="OUT-2"
    )

    await deliver(context, desk.connection.id, receipt(ReceiptKind.PLAYED, "OUT-2", "OUT-1"), media_store)

    assert (await reload(context, first.id)).status == MessageStatus.READ
    assert (await reload(context, second.id)).status == MessageStatus.READ


async def test_receipts_do_not_touch_messages_the_customer_sent(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    inbound = received(CUSTOMER, "Oi")
    await deliver(context, desk.connection.id, inbound, media_store)

    await deliver(context, desk.connection.id, receipt(ReceiptKind.READ, inbound.external_id), media_store)

    assert (await _only_message(context)).status == MessageStatus.SENT


async def test_a_receipt_that_beats_the_send_confirmation_is_not_undone_by_it(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    contact = await make_contact(context, phone=CUSTOMER)
    ticket = await make_ticket(context, connection=desk.connection, contact=contact)
    # Claimed (its id fixed) and sent, but the worker has not yet recorded the send...
    message = await queue_message(context, ticket, "Olá", external_id="OUT-1")
    await deliver(context, desk.connection.id, receipt(ReceiptKind.DELIVERED, "OUT-1"), media_store)

    async with unit_of_work(context.sessionmaker) as session:
        await mark_sent(session, message_id=message.id, result=SendResult(external_id="OUT-1", timestamp=utcnow()))

    assert (await reload(context, message.id)).status == MessageStatus.DELIVERED
