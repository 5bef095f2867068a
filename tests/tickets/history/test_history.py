"""Ticket history: each change of a ticket's life is one line, by whom and when, written with the change itself."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from tests.conftest import EventLog
from tests.ingest.inbound import deliver, received
from tests.tickets.factories import Desk, make_contact, make_ticket
from zapdesk.context import AppContext
from zapdesk.db.uow import unit_of_work
from zapdesk.media.store import MediaStore
from zapdesk.messages.models import Message
from zapdesk.tickets import repository
from zapdesk.tickets.history import service as history
from zapdesk.tickets.history.models import TicketEvent, TicketEventKind
from zapdesk.tickets.models import Ticket, TicketStatus
from zapdesk.tickets.service import close_ticket

CUSTOMER_PHONE = "5511988887777"


async def history_of(client: httpx.AsyncClient, desk: Desk, ticket_id: int, persona: str = "admin") -> list[Any]:
    response = await client.get(f"/api/tickets/{ticket_id}/events", headers=desk.headers(persona))
    assert response.status_code == 200, response.text
    items: list[Any] = response.json()["items"]
    return items


def summary(line: dict[str, Any]) -> tuple[Any, ...]:
    """A line as (kind, actor kind, actor's name, from user, to user, from queue, to queue)."""

    def name(ref: dict[str, Any] | None) -> str | None:
        return ref["name"] if ref else None

    return (
        line["kind"],
        line["actor"]["kind"],
        name(line["actor"]["user"]),
        name(line["from_user"]),
        name(line["to_user"]),
        name(line["from_queue"]),
        name(line["to_queue"]),
    )


async def patch(client: httpx.AsyncClient, desk: Desk, ticket_id: int, persona: str, body: dict[str, Any]) -> None:
    response = await client.patch(f"/api/tickets/{ticket_id}", json=body, headers=desk.headers(persona))
    assert response.status_code == 200, response.text


async def test_menu_accept_transfer_close_reopen_is_told_in_order_with_who_did_each(
    client: httpx.AsyncClient, context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    await deliver(context, desk.connection.id, received(CUSTOMER_PHONE, "Oi, quero comprar"), media_store)
    async with context.sessionmaker() as session:
        ticket = (await session.execute(select(Ticket))).scalar_one()
        first_message = (await session.execute(select(Message))).scalar_one()
    # The queue menu is automation's: it records the customer's choice through the same service.
    async with unit_of_work(context.sessionmaker, context.publish) as session:
        locked = await repository.get_ticket(session, ticket.id, lock=True)
        assert locked is not None
        locked.queue_id = desk.other_queue.id
        await history.record(
            session,
            locked,
            TicketEventKind.QUEUE_CHOSEN,
            history.CUSTOMER,
            from_queue_id=desk.queue.id,
            to_queue_id=desk.other_queue.id,
        )

    await patch(client, desk, ticket.id, "agent_not_in_queue", {"action": "accept"})
    await patch(client, desk, ticket.id, "agent_not_in_queue", {"assignee_id": desk.assignee.id})
    await patch(client, desk, ticket.id, "assignee", {"action": "close"})
    await patch(client, desk, ticket.id, "admin", {"action": "reopen"})

    lines = await history_of(client, desk, ticket.id)
    assert [summary(line) for line in lines] == [
        ("created", "customer", None, None, None, None, "Suporte"),
        ("queue_chosen", "customer", None, None, None, "Suporte", "Vendas"),
        ("accepted", "user", "Otto Other-Queue", None, "Otto Other-Queue", None, None),
        ("transferred", "user", "Otto Other-Queue", "Otto Other-Queue", "Ana Assignee", None, None),
        ("closed", "user", "Ana Assignee", None, None, None, None),
        ("reopened", "user", "Ada Admin", "Ana Assignee", "Ada Admin", None, None),
    ]
    assert lines[0]["message_id"] == first_message.id
    moments = [line["at"] for line in lines]
    assert moments == sorted(moments)


async def test_a_ticket_an_agent_opens_by_writing_first_was_created_by_them(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    contact = await make_contact(desk.context)
    body = {"contact_id": contact.id, "connection_id": desk.connection.id}
    response = await client.post("/api/tickets", json=body, headers=desk.headers("agent_in_queue"))
    assert response.status_code == 201
    lines = await history_of(client, desk, response.json()["id"])
    assert [summary(line) for line in lines] == [
        ("created", "user", "Iris In-Queue", None, "Iris In-Queue", None, "Suporte"),
    ]
    assert lines[0]["message_id"] is None


async def test_a_transfer_to_a_queue_names_both_queues_and_who_let_go(client: httpx.AsyncClient, desk: Desk) -> None:
    ticket = await desk.guarded_ticket()
    await patch(client, desk, ticket.id, "assignee", {"queue_id": desk.other_queue.id, "assignee_id": None})
    [line] = await history_of(client, desk, ticket.id)
    assert summary(line) == ("transferred", "user", "Ana Assignee", "Ana Assignee", None, "Suporte", "Vendas")


async def test_a_timer_closing_a_ticket_is_the_actor_of_its_line(
    client: httpx.AsyncClient, context: AppContext, desk: Desk
) -> None:
    ticket = await desk.guarded_ticket()
    async with unit_of_work(context.sessionmaker, context.publish) as session:
        locked = await repository.get_ticket(session, ticket.id, lock=True)
        assert locked is not None
        assert await close_ticket(session, locked, history.TIMER) is True
        assert await close_ticket(session, locked, history.TIMER) is False  # closed already: no second line
    [line] = await history_of(client, desk, ticket.id)
    assert summary(line) == ("closed", "timer", None, None, None, None, None)


async def test_a_refused_change_leaves_no_line(client: httpx.AsyncClient, desk: Desk) -> None:
    ticket = await desk.guarded_ticket()
    response = await client.patch(
        f"/api/tickets/{ticket.id}", json={"action": "reopen"}, headers=desk.headers("assignee")
    )
    assert response.status_code == 409
    assert await history_of(client, desk, ticket.id) == []


async def test_a_history_line_rolls_back_with_the_change_it_describes(context: AppContext, desk: Desk) -> None:
    ticket = await desk.guarded_ticket()
    try:
        async with unit_of_work(context.sessionmaker, context.publish) as session:
            locked = await repository.get_ticket(session, ticket.id, lock=True)
            assert locked is not None
            await close_ticket(session, locked, history.BOT)
            raise RuntimeError("the rest of the work failed")
    except RuntimeError:
        pass
    async with context.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(TicketEvent)) == 0
        stored = await session.get(Ticket, ticket.id)
        assert stored is not None and stored.status == TicketStatus.OPEN


async def test_history_is_for_those_who_may_see_the_ticket(client: httpx.AsyncClient, desk: Desk) -> None:
    ticket = await desk.guarded_ticket()
    for persona, status in (("agent_not_in_queue", 404), ("agent_in_queue", 200), ("assignee", 200)):
        response = await client.get(f"/api/tickets/{ticket.id}/events", headers=desk.headers(persona))
        assert response.status_code == status, persona
    assert (await client.get(f"/api/tickets/{ticket.id}/events")).status_code == 401


async def test_each_line_is_announced_to_whoever_sees_the_ticket_after_the_change(
    client: httpx.AsyncClient, desk: Desk, published: EventLog
) -> None:
    ticket = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue)
    await patch(client, desk, ticket.id, "agent_in_queue", {"action": "accept"})
    [announced] = published.named("ticket.event")
    assert announced.rooms == ("admins", f"queue:{desk.queue.id}", f"user:{desk.agent_in_queue.id}")
    assert announced.payload == (await history_of(client, desk, ticket.id))[0]


async def test_a_long_history_comes_in_pages_oldest_first(client: httpx.AsyncClient, desk: Desk) -> None:
    ticket = await desk.guarded_ticket()
    for queue in (desk.other_queue, desk.queue, desk.other_queue):
        await patch(client, desk, ticket.id, "admin", {"queue_id": queue.id})
    headers = desk.headers("admin")
    first = (await client.get(f"/api/tickets/{ticket.id}/events", params={"limit": 2}, headers=headers)).json()
    cursor = first["next_cursor"]
    second = (
        await client.get(f"/api/tickets/{ticket.id}/events", params={"limit": 2, "cursor": cursor}, headers=headers)
    ).json()
    queues = [line["to_queue"]["name"] for line in first["items"] + second["items"]]
    assert queues == ["Vendas", "Suporte", "Vendas"]
    assert second["next_cursor"] is None
