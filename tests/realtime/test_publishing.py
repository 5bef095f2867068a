"""Committed events reach exactly the sockets allowed to see them, once each, and only after the commit.

A socket's events arrive in the order they were published, so "nothing arrived for X" is checked after
a later event published to the same socket (a barrier) has arrived, not by sleeping.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.live_server import LiveServer, SocketEvents
from tests.tickets.factories import Desk, make_ticket
from zapdesk.db.uow import unit_of_work
from zapdesk.messages.schemas import MessageCreate
from zapdesk.messages.service import post_message
from zapdesk.tickets.models import Ticket, TicketStatus
from zapdesk.users.models import User


async def post(live_server: LiveServer, user: User, ticket: Ticket, body: str) -> dict[str, Any]:
    async with live_server.http(user) as http:
        response = await http.post(f"/api/tickets/{ticket.id}/messages", json={"body": body})
    assert response.status_code == 201, response.text
    message: dict[str, Any] = response.json()
    return message


def message_ids(socket: SocketEvents) -> list[int]:
    return [payload["id"] for payload in socket.named("message.created")]


async def test_agent_receives_new_message_of_their_queue_and_nothing_of_another_queue(
    live_server: LiveServer, desk: Desk
) -> None:
    ours, theirs = await desk.open_ticket_in(desk.queue), await desk.open_ticket_in(desk.other_queue)
    async with live_server.socket(live_server.token(desk.agent_in_queue)) as socket:
        hidden = await post(live_server, desk.admin, theirs, "para Vendas")
        visible = await post(live_server, desk.admin, ours, "para Suporte")
        received = await socket.wait_for("message.created", lambda m: m["id"] == visible["id"])
    assert received == visible  # the same JSON shape as the REST API's answer
    assert hidden["id"] not in message_ids(socket)
    assert all(payload["id"] != theirs.id for payload in socket.named("ticket.updated"))


async def test_admin_receives_new_messages_of_every_queue(live_server: LiveServer, desk: Desk) -> None:
    first = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue, status=TicketStatus.OPEN)
    second = await make_ticket(
        desk.context, connection=desk.connection, queue=desk.other_queue, status=TicketStatus.OPEN
    )
    unqueued = await make_ticket(
        desk.context, connection=desk.connection, assignee=desk.assignee, status=TicketStatus.OPEN
    )
    async with live_server.socket(live_server.token(desk.admin)) as socket:
        posted = [
            await post(live_server, desk.admin, ticket, f"mensagem {n}")
            for n, ticket in enumerate((first, second, unqueued))
        ]
        await socket.wait_for("message.created", lambda m: m["id"] == posted[-1]["id"])
    assert message_ids(socket) == [message["id"] for message in posted]


async def test_socket_in_two_matching_rooms_receives_each_event_once(live_server: LiveServer, desk: Desk) -> None:
    # In `queue` and the assignee: the events name both queue:{id} and user:{id}, and this socket is in both.
    ticket = await make_ticket(
        desk.context,
        connection=desk.connection,
        queue=desk.queue,
        assignee=desk.agent_in_queue,
        status=TicketStatus.OPEN,
    )
    async with live_server.socket(live_server.token(desk.agent_in_queue)) as socket:
        first = await post(live_server, desk.agent_in_queue, ticket, "primeira")
        barrier = await post(live_server, desk.agent_in_queue, ticket, "segunda")
        await socket.wait_for("message.created", lambda m: m["id"] == barrier["id"])
    assert message_ids(socket) == [first["id"], barrier["id"]]
    assert [t["id"] for t in socket.named("ticket.updated")] == [ticket.id, ticket.id]


async def test_rolled_back_transaction_publishes_nothing(live_server: LiveServer, desk: Desk) -> None:
    ticket = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue, status=TicketStatus.OPEN)
    context = live_server.context
    async with live_server.socket(live_server.token(desk.admin)) as socket:
        with pytest.raises(RuntimeError, match="changed my mind"):
            async with unit_of_work(context.sessionmaker, context.publish) as session:
                await post_message(session, desk.admin, ticket.id, MessageCreate(body="never sent"))
                raise RuntimeError("changed my mind")
        barrier = await post(live_server, desk.admin, ticket, "this one is real")
        await socket.wait_for("message.created", lambda m: m["id"] == barrier["id"])
    assert [m["body"] for m in socket.named("message.created")] == ["this one is real"]


async def test_agent_who_loses_sight_of_a_transferred_ticket_receives_only_its_removal(
    live_server: LiveServer, desk: Desk
) -> None:
    ticket = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue, status=TicketStatus.OPEN)
    async with (
        live_server.socket(live_server.token(desk.agent_in_queue)) as losing,
        live_server.socket(live_server.token(desk.agent_not_in_queue)) as gaining,
    ):
        async with live_server.http(desk.admin) as http:
            response = await http.patch(f"/api/tickets/{ticket.id}", json={"queue_id": desk.other_queue.id})
        assert response.status_code == 200, response.text
        removed = await losing.wait_for("ticket.removed")
        updated = await gaining.wait_for("ticket.updated", lambda t: t["id"] == ticket.id)
    assert removed == {"id": ticket.id}
    assert losing.named("ticket.updated") == []
    assert updated == response.json()
    assert gaining.named("ticket.removed") == []
