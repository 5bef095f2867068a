"""Message actions: react, edit and delete for everyone go to WhatsApp through the outbox once the message has gone
there; forwarding copies messages into the recipient's ticket; the changes stay in a history administrators read."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.conftest import EventLog
from tests.outbox.conftest import RunDispatcher, clock, media_store, no_pacing, run_dispatcher
from tests.outbox.fake_engine import FakeEngine
from tests.outbox.helpers import eventually, queue_message, reload
from tests.tickets.factories import Desk, make_contact, make_ticket
from zapdesk.context import AppContext
from zapdesk.db.base import utcnow
from zapdesk.messages.models import Message, MessageAction, MessageStatus, MessageType
from zapdesk.tickets.models import Ticket

__all__ = ["clock", "media_store", "no_pacing", "run_dispatcher"]

pytestmark = pytest.mark.usefixtures("no_pacing")


async def sent_by(context: AppContext, desk: Desk, ticket: Ticket, body: str, *, minutes_ago: float = 1) -> Message:
    """A text the assignee sent that WhatsApp has (its id, `sent`)."""
    return await queue_message(
        context,
        ticket,
        body,
        author_id=desk.assignee.id,
        status=MessageStatus.SENT,
        external_id=f"3EB0{ticket.id:04d}{len(body):04d}",
        sent_at=utcnow() - timedelta(minutes=minutes_ago),
    )


async def received_in(context: AppContext, ticket: Ticket, body: str) -> Message:
    return await queue_message(
        context, ticket, body, from_me=False, status=MessageStatus.SENT, external_id="ABCD1234", sent_at=utcnow()
    )


async def actions_sent(engine: FakeEngine, count: int) -> list[tuple[str, ...]]:
    async def done() -> bool:
        return len(engine.calls) >= count

    await eventually(done)
    return engine.calls


async def all_actions_settle(context: AppContext) -> None:
    """Wait until the dispatcher has told WhatsApp every queued action (each row goes once told)."""

    async def settled() -> bool:
        async with context.sessionmaker() as session:
            return (await session.execute(select(MessageAction.id))).first() is None

    await eventually(settled)


async def call(
    client: httpx.AsyncClient, desk: Desk, method: str, url: str, body: Any = None, persona: str = "assignee"
) -> httpx.Response:
    return await client.request(method, url, json=body, headers=desk.headers(persona))


async def test_an_edit_changes_the_bubble_at_once_reaches_whatsapp_and_keeps_the_old_text_for_admins(
    client: httpx.AsyncClient, context: AppContext, desk: Desk, run_dispatcher: RunDispatcher, published: EventLog
) -> None:
    ticket = await desk.guarded_ticket()
    typo = await sent_by(context, desk, ticket, "Seu pedido chega amanha")

    edited = await call(client, desk, "PATCH", f"/api/messages/{typo.id}", {"body": "Seu pedido chega amanhã"})

    assert edited.status_code == 200, edited.text
    assert (edited.json()["body"], edited.json()["is_edited"]) == ("Seu pedido chega amanhã", True)
    [update] = [e for e in published.named("message.updated") if e.payload["id"] == typo.id]
    assert update.payload["body"] == "Seu pedido chega amanhã"
    engine = FakeEngine()
    async with run_dispatcher(desk.connection.id, engine):
        [(kind, _, target, text)] = await actions_sent(engine, 1)
        await all_actions_settle(context)
    assert (kind, target, text) == ("edit", typo.external_id, "Seu pedido chega amanhã")
    history = await call(client, desk, "GET", f"/api/messages/{typo.id}/history", persona="admin")
    assert [(h["kind"], h["previous"], h["text"]) for h in history.json()] == [
        ("edit", "Seu pedido chega amanha", "Seu pedido chega amanhã")
    ]
    refused = await call(client, desk, "GET", f"/api/messages/{typo.id}/history", persona="assignee")
    assert refused.status_code == 403


async def test_editing_after_whatsapps_window_or_someone_elses_message_is_refused_and_nothing_changes(
    client: httpx.AsyncClient, context: AppContext, desk: Desk
) -> None:
    ticket = await desk.guarded_ticket()
    old = await sent_by(context, desk, ticket, "Bom dia", minutes_ago=16)

    late = await call(client, desk, "PATCH", f"/api/messages/{old.id}", {"body": "Boa tarde"})
    theirs = await call(client, desk, "PATCH", f"/api/messages/{old.id}", {"body": "Oi"}, persona="admin")
    deleted_by_other = await call(client, desk, "DELETE", f"/api/messages/{old.id}", persona="admin")

    assert (late.status_code, late.json()["code"]) == (409, "edit_too_late")
    assert (theirs.status_code, theirs.json()["code"]) == (403, "not_your_message")
    assert (deleted_by_other.status_code, deleted_by_other.json()["code"]) == (403, "not_your_message")
    stored = await reload(context, old.id)
    assert (stored.body, stored.is_edited, stored.is_deleted) == ("Bom dia", False, False)
    async with context.sessionmaker() as session:
        assert (await session.execute(select(MessageAction))).first() is None


async def test_a_message_not_yet_on_whatsapp_cannot_be_edited(
    client: httpx.AsyncClient, context: AppContext, desk: Desk
) -> None:
    ticket = await desk.guarded_ticket()
    pending = await queue_message(context, ticket, "Ainda na fila", author_id=desk.assignee.id)

    response = await call(client, desk, "PATCH", f"/api/messages/{pending.id}", {"body": "Outra coisa"})

    assert (response.status_code, response.json()["code"]) == (409, "message_not_sent")


async def test_a_reaction_on_the_customers_message_shows_at_once_and_reaches_whatsapp(
    client: httpx.AsyncClient, context: AppContext, desk: Desk, run_dispatcher: RunDispatcher
) -> None:
    ticket = await desk.guarded_ticket()
    question = await received_in(context, ticket, "Vocês abrem sábado?")

    response = await call(client, desk, "PUT", f"/api/messages/{question.id}/reaction", {"emoji": "👍"})

    assert response.json()["reactions"] == {"me": "👍"}
    engine = FakeEngine()
    async with run_dispatcher(desk.connection.id, engine):
        [(kind, _, target, emoji)] = await actions_sent(engine, 1)
    assert (kind, target, emoji) == ("react", "ABCD1234", "👍")
    removed = await call(client, desk, "PUT", f"/api/messages/{question.id}/reaction", {"emoji": ""})
    assert removed.json()["reactions"] == {}


async def test_delete_for_everyone_blanks_the_bubble_waits_out_an_outage_and_keeps_the_text_for_admins(
    client: httpx.AsyncClient, context: AppContext, desk: Desk, run_dispatcher: RunDispatcher
) -> None:
    ticket = await desk.guarded_ticket()
    wrong = await sent_by(context, desk, ticket, "Mensagem para outro cliente")

    response = await call(client, desk, "DELETE", f"/api/messages/{wrong.id}")

    assert (response.json()["body"], response.json()["is_deleted"]) == ("", True)
    engine = FakeEngine(connected=False)
    async with run_dispatcher(desk.connection.id, engine):
        engine.connected = True  # the session comes back: what waited goes out
        [(kind, _, target)] = await actions_sent(engine, 1)
    assert (kind, target) == ("revoke", wrong.external_id)
    history = await call(client, desk, "GET", f"/api/messages/{wrong.id}/history", persona="admin")
    assert [(h["kind"], h["previous"]) for h in history.json()] == [("revoke", "Mensagem para outro cliente")]


async def test_forwarded_messages_go_out_marked_forwarded_in_the_recipients_ticket(
    client: httpx.AsyncClient, context: AppContext, desk: Desk, run_dispatcher: RunDispatcher
) -> None:
    ticket = await desk.guarded_ticket()
    first = await sent_by(context, desk, ticket, "Catálogo 2026")
    second = await received_in(context, ticket, "Quero o modelo azul")
    colleague = await make_contact(context, name="Loja Centro", phone="5521988887777")

    response = await call(
        client,
        desk,
        "POST",
        "/api/messages/forward",
        {"message_ids": [first.id, second.id], "contact_id": colleague.id},
    )

    assert response.status_code == 201, response.text
    copies = response.json()["messages"]
    assert [(c["body"], c["extra"], c["status"]) for c in copies] == [
        ("Catálogo 2026", {"forwarded": True}, "pending"),
        ("Quero o modelo azul", {"forwarded": True}, "pending"),
    ]
    assert {c["ticket_id"] for c in copies} == {response.json()["ticket_id"]} != {ticket.id}
    engine = FakeEngine()
    async with run_dispatcher(desk.connection.id, engine):
        await engine.wait_for_sent(2)
    assert [(s.chat.address, s.message.text, s.message.forwarded) for s in engine.sent] == [
        ("5521988887777", "Catálogo 2026", True),
        ("5521988887777", "Quero o modelo azul", True),
    ]


async def test_forwarding_into_a_ticket_the_agent_cannot_see_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, context: AppContext, desk: Desk
) -> None:
    ticket = await desk.open_ticket_in(desk.queue)
    note = await queue_message(context, ticket, "Anotação", type=MessageType.NOTE, status=MessageStatus.SENT)
    source = await received_in(context, ticket, "Pode me ligar?")
    elsewhere = await make_ticket(context, connection=desk.connection, queue=desk.other_queue)

    hidden = await call(
        client,
        desk,
        "POST",
        "/api/messages/forward",
        {"message_ids": [source.id], "contact_id": elsewhere.contact_id},
        persona="agent_in_queue",
    )
    a_note = await call(
        client,
        desk,
        "POST",
        "/api/messages/forward",
        {"message_ids": [note.id], "contact_id": elsewhere.contact_id},
        persona="admin",
    )

    assert (hidden.status_code, hidden.json()["code"]) == (409, "ticket_active_elsewhere")
    assert (a_note.status_code, a_note.json()["code"]) == (409, "not_forwardable")
    listed = await call(client, desk, "GET", f"/api/tickets/{elsewhere.id}/messages", persona="admin")
    assert listed.json()["items"] == []
