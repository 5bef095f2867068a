"""The access rule: its SQL clause, its in-memory check and its Socket.IO rooms say the same thing."""

from __future__ import annotations

import itertools

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.tickets.factories import Desk, make_ticket
from zapdesk.tickets.access import can_see, ticket_rooms, user_rooms, visible_tickets_clause
from zapdesk.tickets.models import Ticket, TicketStatus
from zapdesk.users.models import User


def spec_allows(desk: Desk, user: User, ticket: Ticket) -> bool:
    """The rule as the issue states it, written out independently of the code under test."""
    if user.id == desk.admin.id:
        return True
    serves_queue = ticket.queue_id is not None and ticket.queue_id in {queue.id for queue in user.queues}
    is_assignee = ticket.assignee_id == user.id
    unclaimed = ticket.status == TicketStatus.PENDING and ticket.queue_id is None
    return serves_queue or is_assignee or unclaimed


async def test_clause_check_and_rooms_agree_with_the_rule_for_every_kind_of_ticket(
    desk: Desk, session: AsyncSession
) -> None:
    tickets = []
    for status, queue, assignee in itertools.product(
        TicketStatus,
        (None, desk.queue, desk.other_queue),
        (None, desk.assignee, desk.agent_in_queue),
    ):
        tickets.append(
            await make_ticket(desk.context, connection=desk.connection, queue=queue, assignee=assignee, status=status)
        )
    users = [desk.admin, desk.agent_in_queue, desk.agent_not_in_queue, desk.assignee]
    for user in users:
        expected = {ticket.id for ticket in tickets if spec_allows(desk, user, ticket)}
        from_query = set((await session.execute(select(Ticket.id).where(visible_tickets_clause(user)))).scalars())
        from_check = {ticket.id for ticket in tickets if can_see(user, ticket)}
        reached = {ticket.id for ticket in tickets if set(ticket_rooms(ticket)) & set(user_rooms(user))}
        assert from_query == expected, user.name
        assert from_check == expected, user.name
        assert reached == expected, user.name
    # The rule is not trivially "everything": the agent of another queue misses most of them.
    assert len({t.id for t in tickets if can_see(desk.agent_not_in_queue, t)}) < len(tickets) // 2


async def test_ticket_rooms_name_admins_queue_assignee_and_agents_only_for_unclaimed_pending(desk: Desk) -> None:
    in_queue = await make_ticket(
        desk.context, connection=desk.connection, queue=desk.queue, assignee=desk.assignee, status=TicketStatus.OPEN
    )
    unclaimed = await make_ticket(desk.context, connection=desk.connection, status=TicketStatus.PENDING)
    closed_unclaimed = await make_ticket(desk.context, connection=desk.connection, status=TicketStatus.CLOSED)
    assert ticket_rooms(in_queue) == ("admins", f"queue:{desk.queue.id}", f"user:{desk.assignee.id}")
    assert ticket_rooms(unclaimed) == ("admins", "agents")
    assert ticket_rooms(closed_unclaimed) == ("admins",)


def test_user_rooms_put_admins_in_one_room_and_agents_in_their_queues(desk: Desk) -> None:
    assert user_rooms(desk.admin) == ("admins", f"user:{desk.admin.id}")
    assert user_rooms(desk.agent_in_queue) == ("agents", f"user:{desk.agent_in_queue.id}", f"queue:{desk.queue.id}")
    assert user_rooms(desk.assignee) == ("agents", f"user:{desk.assignee.id}")
