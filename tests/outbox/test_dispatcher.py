"""The dispatcher sends each connection's pending messages in order, paced, retried, and never twice as two."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import EventLog
from tests.ingest.inbound import deliver, in_group, received
from tests.outbox.conftest import RunDispatcher, set_pace
from tests.outbox.fake_engine import FakeEngine
from tests.outbox.helpers import eventually, eventually_reloaded, queue_message, reload, status_becomes
from tests.tickets.factories import Desk, make_connection, make_contact, make_ticket
from zapdesk.context import AppContext
from zapdesk.db.uow import unit_of_work
from zapdesk.engine.base import EngineError
from zapdesk.engine.events import MediaKind
from zapdesk.kit.clock import ManualClock
from zapdesk.kit.retry import Backoff
from zapdesk.media.store import MediaStore
from zapdesk.messages.models import ActionKind, Message, MessageStatus, MessageType
from zapdesk.messages.service import queue_action
from zapdesk.outbox.service import RetryPolicy, claim_next_delivery
from zapdesk.tickets.models import Ticket

pytestmark = pytest.mark.usefixtures("no_pacing")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def test_pending_messages_go_out_in_order_and_become_sent(
    context: AppContext, desk: Desk, run_dispatcher: RunDispatcher, published: EventLog
) -> None:
    contact = await make_contact(context, phone="5511988887777")
    ticket = await make_ticket(context, connection=desk.connection, contact=contact)
    queued = [await queue_message(context, ticket, body) for body in ("Olá!", "Seu pedido saiu.", "Obrigado")]
    engine = FakeEngine()

    async with run_dispatcher(desk.connection.id, engine):
        await engine.wait_for_sent(3)
        stored = [await status_becomes(context, message.id, MessageStatus.SENT) for message in queued]

    assert [sent.message.text for sent in engine.sent] == ["Olá!", "Seu pedido saiu.", "Obrigado"]
    assert {sent.chat.address for sent in engine.sent} == {"5511988887777"}
    assert [message.external_id for message in stored] == [sent.message.message_id for sent in engine.sent]
    assert all(message.sent_at is not None and message.error is None for message in stored)
    sent_events = [e for e in published.named("message.updated") if e.payload["status"] == "sent"]
    assert sorted(e.payload["id"] for e in sent_events) == [m.id for m in queued]


async def test_messages_wait_while_disconnected_survive_a_restart_and_go_out_after_reconnect(
    context: AppContext, desk: Desk, run_dispatcher: RunDispatcher, clock: ManualClock
) -> None:
    ticket = await make_ticket(context, connection=desk.connection)
    queued = [await queue_message(context, ticket, body) for body in ("um", "dois")]
    engine = FakeEngine(connected=False)

    async with run_dispatcher(desk.connection.id, engine, poll_seconds=5):
        for _ in range(3):  # three looks, five seconds apart, while the phone is offline
            await clock.until_sleeping()
            await clock.advance(5)
        await clock.until_sleeping()
    # The worker went away while the phone was offline: nothing was tried, nothing was lost.
    assert engine.attempts == 0
    assert [(await reload(context, m.id)).status for m in queued] == [MessageStatus.PENDING] * 2

    engine.connected = True
    async with run_dispatcher(desk.connection.id, engine) as dispatcher:
        dispatcher.nudge()
        await engine.wait_for_sent(2)
    assert [sent.message.text for sent in engine.sent] == ["um", "dois"]


async def test_reconnecting_while_running_sends_what_waited(
    context: AppContext, desk: Desk, run_dispatcher: RunDispatcher, clock: ManualClock
) -> None:
    ticket = await make_ticket(context, connection=desk.connection)
    message = await queue_message(context, ticket, "esperando")
    engine = FakeEngine(connected=False)

    async with run_dispatcher(desk.connection.id, engine, poll_seconds=30) as dispatcher:
        await clock.until_sleeping()  # it looked, found the session down, and waits
        engine.connected = True
        dispatcher.nudge()  # what the worker does when the session reports CONNECTED
        await engine.wait_for_sent(1, timeout=5)
        await status_becomes(context, message.id, MessageStatus.SENT)


async def test_retryable_failure_is_tried_again_later_and_then_sent(
    context: AppContext, desk: Desk, run_dispatcher: RunDispatcher, clock: ManualClock
) -> None:
    ticket = await make_ticket(context, connection=desk.connection)
    message = await queue_message(context, ticket, "Olá")
    engine = FakeEngine(failures=[EngineError("WhatsApp did not answer in time.")])
    policy = RetryPolicy(max_attempts=3, backoff=Backoff(first=10, cap=60))

    async with run_dispatcher(desk.connection.id, engine, policy=policy, poll_seconds=30):
        await engine.wait_for_attempts(1)
        await clock.until_sleeping()
        waiting = await reload(context, message.id)
        assert waiting.status == MessageStatus.PENDING and waiting.next_attempt_at is not None
        due_in = (waiting.next_attempt_at - clock.now()).total_seconds()
        assert 5 <= due_in <= 10  # the first backoff step: between half the first wait and all of it
        await clock.advance(due_in - 0.1)
        assert engine.attempts == 1  # not a moment early
        await clock.advance(0.1)
        stored = await status_becomes(context, message.id, MessageStatus.SENT)

    assert engine.attempts == 2
    assert (stored.send_attempts, stored.error, stored.next_attempt_at) == (1, None, None)
    # The retry is the same message to WhatsApp: same id.
    assert stored.external_id == engine.sent[0].message.message_id


async def test_repeated_failures_end_in_failed_with_a_readable_reason(
    context: AppContext, desk: Desk, run_dispatcher: RunDispatcher, published: EventLog, clock: ManualClock
) -> None:
    ticket = await make_ticket(context, connection=desk.connection)
    message = await queue_message(context, ticket, "Olá")
    engine = FakeEngine(failures=[EngineError("WhatsApp did not answer in time.") for _ in range(3)])

    async with run_dispatcher(desk.connection.id, engine, policy=RetryPolicy(max_attempts=3)):
        stored = await clock.run(status_becomes(context, message.id, MessageStatus.FAILED), step=60)

    assert engine.attempts == 3 and engine.sent == []
    assert stored.error == "WhatsApp did not answer in time. (gave up after 3 attempts)"
    failed = [e for e in published.named("message.updated") if e.payload["status"] == "failed"]
    assert [e.payload["error"] for e in failed] == [stored.error]


async def test_non_retryable_failure_fails_at_once(
    context: AppContext, desk: Desk, run_dispatcher: RunDispatcher
) -> None:
    ticket = await make_ticket(context, connection=desk.connection)
    message = await queue_message(context, ticket, "Olá")
    engine = FakeEngine(failures=[EngineError("This number is not on WhatsApp.", retryable=False)])

    async with run_dispatcher(desk.connection.id, engine):
        stored = await status_becomes(context, message.id, MessageStatus.FAILED)

    assert engine.attempts == 1
    assert stored.error == "This number is not on WhatsApp."


async def test_later_message_to_the_same_chat_waits_behind_one_being_retried_while_other_chats_go_on(
    context: AppContext, desk: Desk, run_dispatcher: RunDispatcher, clock: ManualClock
) -> None:
    first_chat = await make_ticket(context, connection=desk.connection)
    second_chat = await make_ticket(context, connection=desk.connection)
    await queue_message(context, first_chat, "A1")
    await queue_message(context, first_chat, "A2")
    await queue_message(context, second_chat, "B1")
    engine = FakeEngine(failures=[EngineError("Temporary trouble.")])

    async with run_dispatcher(desk.connection.id, engine, policy=RetryPolicy()):
        await engine.wait_for_sent(1)
        await clock.until_sleeping()
        assert [sent.message.text for sent in engine.sent] == ["B1"]  # A2 waits for A1's retry
        await clock.run(engine.wait_for_sent(3), step=5)

    assert [sent.message.text for sent in engine.sent] == ["B1", "A1", "A2"]


async def test_whatsapp_id_chosen_before_sending_is_reused_after_a_crash(
    context: AppContext, desk: Desk, run_dispatcher: RunDispatcher, media_store: MediaStore
) -> None:
    ticket = await make_ticket(context, connection=desk.connection)
    message = await queue_message(context, ticket, "Olá")
    crashed = FakeEngine()
    async with unit_of_work(context.sessionmaker) as session:
        claimed = await claim_next_delivery(
            session, connection_id=desk.connection.id, new_message_id=crashed.new_message_id, media_store=media_store
        )
    assert claimed is not None
    # ...the worker died here, after the claim committed and before the send.

    restarted = FakeEngine()
    async with run_dispatcher(desk.connection.id, restarted):
        stored = await status_becomes(context, message.id, MessageStatus.SENT)

    assert [sent.message.message_id for sent in restarted.sent] == [claimed.outgoing.message_id]
    assert stored.external_id == claimed.outgoing.message_id


async def test_sends_are_spaced_by_the_minimum_interval_setting(
    context: AppContext, desk: Desk, run_dispatcher: RunDispatcher, clock: ManualClock
) -> None:
    await set_pace(context, 2500)
    ticket = await make_ticket(context, connection=desk.connection)
    for body in ("um", "dois", "três"):
        await queue_message(context, ticket, body)
    engine = FakeEngine(clock=clock)

    async with run_dispatcher(desk.connection.id, engine):
        await clock.run(engine.wait_for_sent(3), step=0.5)

    gaps = [later.at - earlier.at for earlier, later in zip(engine.sent, engine.sent[1:], strict=False)]
    assert gaps == [2.5, 2.5]


async def test_quoted_reply_and_file_are_handed_to_the_engine(
    context: AppContext, desk: Desk, run_dispatcher: RunDispatcher, media_store: MediaStore
) -> None:
    contact = await make_contact(context, phone="5511977776666")
    ticket = await make_ticket(context, connection=desk.connection, contact=contact)
    async with context.sessionmaker() as session:
        question = Message(
            ticket_id=ticket.id,
            contact_id=contact.id,
            connection_id=desk.connection.id,
            body="Qual o preço?",
            external_id="CUSTOMER-1",
            extra={},
            reactions={},
        )
        session.add(question)
        await session.commit()
    stored = await media_store.save(PDF)
    await queue_message(
        context,
        ticket,
        "Segue o orçamento",
        type=MessageType.DOCUMENT,
        media_path=stored.path,
        media_mime=stored.mime,
        media_name="orcamento.pdf",
        quoted_message_id=question.id,
    )
    engine = FakeEngine()

    async with run_dispatcher(desk.connection.id, engine):
        await engine.wait_for_sent(1)

    outgoing = engine.sent[0].message
    assert outgoing.text == "Segue o orçamento"
    assert outgoing.quoted is not None
    assert (outgoing.quoted.external_id, outgoing.quoted.sender_phone, outgoing.quoted.text) == (
        "CUSTOMER-1",
        "5511977776666",
        "Qual o preço?",
    )
    assert outgoing.media is not None
    assert (outgoing.media.kind, outgoing.media.mime, outgoing.media.file_name) == (
        MediaKind.DOCUMENT,
        "application/pdf",
        "orcamento.pdf",
    )
    assert outgoing.media.data == PDF


async def test_message_whose_file_is_gone_fails_without_trying_to_send(
    context: AppContext, desk: Desk, run_dispatcher: RunDispatcher, media_store: MediaStore
) -> None:
    ticket = await make_ticket(context, connection=desk.connection)
    stored = await media_store.save(PDF)
    await media_store.delete(stored.path)
    message = await queue_message(
        context, ticket, "", type=MessageType.DOCUMENT, media_path=stored.path, media_mime=stored.mime
    )
    after = await queue_message(context, ticket, "e esta vai")
    engine = FakeEngine()

    async with run_dispatcher(desk.connection.id, engine):
        failed = await status_becomes(context, message.id, MessageStatus.FAILED)
        await status_becomes(context, after.id, MessageStatus.SENT)

    assert failed.error is not None and "no longer in storage" in failed.error
    assert [sent.message.text for sent in engine.sent] == ["e esta vai"]


async def test_dispatcher_sends_only_its_own_connections_messages(
    context: AppContext, desk: Desk, run_dispatcher: RunDispatcher, clock: ManualClock
) -> None:
    other_connection = await make_connection(context)
    mine = await make_ticket(context, connection=desk.connection)
    theirs = await make_ticket(context, connection=other_connection)
    await queue_message(context, theirs, "de outra conexão")
    message = await queue_message(context, mine, "desta conexão")
    engine = FakeEngine()

    async with run_dispatcher(desk.connection.id, engine):
        await status_becomes(context, message.id, MessageStatus.SENT)
        await clock.until_sleeping()  # it looked again and found nothing more of its own

    assert [sent.message.text for sent in engine.sent] == ["desta conexão"]


async def test_a_reply_in_a_group_goes_to_the_group_and_quotes_a_lid_only_member_by_lid(
    context: AppContext, desk: Desk, run_dispatcher: RunDispatcher, media_store: MediaStore
) -> None:
    group, member_lid = "120363041234567890", "207769883451234"
    question = in_group(group, None, "alguém aí?", member_name="Lia", member_lid=member_lid, external_id="GROUP-Q1")
    await deliver(context, desk.connection.id, question, media_store)
    async with context.sessionmaker() as session:
        ticket = (await session.execute(select(Ticket))).scalar_one()
        stored_question = (await session.execute(select(Message))).scalar_one()
    await queue_message(context, ticket, "sim, aqui", quoted_message_id=stored_question.id)
    engine = FakeEngine()

    async with run_dispatcher(desk.connection.id, engine):
        await engine.wait_for_sent(1)

    [sent] = engine.sent
    assert (sent.chat.address, sent.chat.is_group) == (f"{group}@g.us", True)
    assert sent.message.quoted is not None
    assert sent.message.quoted.sender_phone == f"{member_lid}@lid"


async def test_a_read_mark_and_a_reaction_in_a_group_name_the_member_who_wrote_the_message(
    context: AppContext, desk: Desk, run_dispatcher: RunDispatcher, media_store: MediaStore
) -> None:
    group, member_lid = "120363041234567890", "207769883451234"
    question = in_group(group, None, "alguém aí?", member_name="Lia", member_lid=member_lid, external_id="GROUP-Q2")
    await deliver(context, desk.connection.id, question, media_store)
    async with unit_of_work(context.sessionmaker) as session:
        stored_question = (await session.execute(select(Message))).scalar_one()
        queue_action(session, stored_question, ActionKind.READ)
        queue_action(session, stored_question, ActionKind.REACTION, "👍")
    engine = FakeEngine()

    async def both_told() -> bool:
        return len(engine.authors) == 2

    async with run_dispatcher(desk.connection.id, engine):
        await eventually(both_told)

    assert engine.read_marks == [(f"{group}@g.us", ["GROUP-Q2"])]
    assert engine.reactions == [(f"{group}@g.us", "GROUP-Q2", "👍")]
    assert engine.authors == [f"{member_lid}@lid", f"{member_lid}@lid"]


async def test_a_reply_to_a_customer_known_only_by_lid_goes_to_the_lid(
    context: AppContext, desk: Desk, run_dispatcher: RunDispatcher, media_store: MediaStore
) -> None:
    await deliver(context, desk.connection.id, received(None, "oi", lid="207769883451234"), media_store)
    async with context.sessionmaker() as session:
        ticket = (await session.execute(select(Ticket))).scalar_one()
    await queue_message(context, ticket, "olá! como posso ajudar?")
    engine = FakeEngine()

    async with run_dispatcher(desk.connection.id, engine):
        await engine.wait_for_sent(1)

    assert [(sent.chat.address, sent.chat.is_group) for sent in engine.sent] == [("207769883451234@lid", False)]


async def test_a_send_that_times_out_is_not_sent_again_and_is_settled_when_whatsapp_answers(
    context: AppContext, desk: Desk, run_dispatcher: RunDispatcher
) -> None:
    ticket = await make_ticket(context, connection=desk.connection)
    message = await queue_message(context, ticket, "seu pedido saiu")
    engine = FakeEngine()
    answer = engine.hold("seu pedido saiu")

    async with run_dispatcher(desk.connection.id, engine, send_timeout=0.05) as dispatcher:
        held = await eventually_reloaded(context, message.id, lambda m: m.next_attempt_at is not None)
        assert (held.status, held.send_attempts) == (MessageStatus.PENDING, 0)  # not a failed attempt
        assert held.error == "WhatsApp has not confirmed this message yet."
        # The dispatcher goes on (another chat's message is sent), without sending this one again.
        other = await queue_message(context, await make_ticket(context, connection=desk.connection), "outro chat")
        dispatcher.nudge()  # as queueing a message does; the test's clock never ends the dispatcher's rest
        await status_becomes(context, other.id, MessageStatus.SENT)
        assert engine.attempts == 2
        answer.set()
        sent = await status_becomes(context, message.id, MessageStatus.SENT)

    assert engine.attempts == 2 and [s.message.text for s in engine.sent] == ["outro chat", "seu pedido saiu"]
    assert (sent.external_id, sent.error, sent.next_attempt_at) == (engine.sent[1].message.message_id, None, None)


async def test_a_send_still_running_when_the_session_closes_is_settled_later_not_sent_twice(
    context: AppContext, desk: Desk, run_dispatcher: RunDispatcher
) -> None:
    ticket = await make_ticket(context, connection=desk.connection)
    message = await queue_message(context, ticket, "vou verificar")
    engine = FakeEngine()
    answer = engine.hold("vou verificar")
    async with run_dispatcher(desk.connection.id, engine):
        await engine.wait_for_attempts(1)
    # The session restarted: a new dispatcher runs while Go still sends the message the old one handed over.
    async with run_dispatcher(desk.connection.id, engine) as dispatcher:
        other = await queue_message(context, await make_ticket(context, connection=desk.connection), "outro chat")
        dispatcher.nudge()  # as queueing a message does; the test's clock never ends the dispatcher's rest
        await status_becomes(context, other.id, MessageStatus.SENT)
        assert engine.attempts == 2  # the other chat's message, not this one again
        answer.set()
        sent = await status_becomes(context, message.id, MessageStatus.SENT)

    assert [s.message.text for s in engine.sent] == ["outro chat", "vou verificar"]
    assert sent.external_id == engine.sent[1].message.message_id
