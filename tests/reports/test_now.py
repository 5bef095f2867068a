"""The dashboard's "now": who waits, the open tickets each agent holds and who is at their desk — an admin sees
everyone, an agent only their own row."""

from __future__ import annotations

from typing import Any

from tests.live_server import LiveServer, SocketEvents
from tests.tickets.factories import Desk, make_ticket
from zapdesk.realtime.server import PRESENCE_EVENT
from zapdesk.tickets.models import TicketStatus
from zapdesk.users.models import User


async def now(server: LiveServer, user: User) -> Any:
    async with server.http(user) as http:
        response = await http.get("/api/reports/now")
    assert response.status_code == 200, response.text
    return response.json()


def agents(answer: Any) -> list[tuple[str, int, str]]:
    return [(row["name"], row["open"], row["presence"]) for row in answer["agents"]]


async def heard(socket: SocketEvents, user: User, state: str) -> None:
    await socket.wait_for(PRESENCE_EVENT, lambda payload: payload == {"user_id": user.id, "state": state})


async def test_open_per_agent_and_agents_online_as_the_admin_sees_them(live_server: LiveServer, desk: Desk) -> None:
    iris, ana = desk.agent_in_queue, desk.assignee
    for _ in range(3):
        await make_ticket(
            desk.context, connection=desk.connection, queue=desk.queue, assignee=ana, status=TicketStatus.OPEN
        )
    await make_ticket(
        desk.context, connection=desk.connection, queue=desk.queue, assignee=iris, status=TicketStatus.OPEN
    )
    # Neither a pending nor a closed ticket is "held open".
    await make_ticket(desk.context, connection=desk.connection, queue=desk.queue, assignee=iris)
    closed = TicketStatus.CLOSED
    await make_ticket(desk.context, connection=desk.connection, queue=desk.queue, assignee=ana, status=closed)

    assert agents(await now(live_server, desk.admin)) == [
        ("Ana Assignee", 3, "offline"),
        ("Iris In-Queue", 1, "offline"),
    ]

    async with live_server.socket(live_server.token(desk.admin)) as admin_tab:
        async with live_server.socket(live_server.token(desk.agent_not_in_queue)) as otto_tab:
            await heard(admin_tab, desk.agent_not_in_queue, "online")
            await otto_tab.client.emit(PRESENCE_EVENT, {"away": True})
            await heard(admin_tab, desk.agent_not_in_queue, "away")
            # Otto holds nothing but is at his desk (away); the admin's own tab makes her online.
            assert agents(await now(live_server, desk.admin)) == [
                ("Ada Admin", 0, "online"),
                ("Ana Assignee", 3, "offline"),
                ("Iris In-Queue", 1, "offline"),
                ("Otto Other-Queue", 0, "away"),
            ]
        await heard(admin_tab, desk.agent_not_in_queue, "offline")
    assert agents(await now(live_server, desk.admin)) == [
        ("Ana Assignee", 3, "offline"),
        ("Iris In-Queue", 1, "offline"),
    ]


async def test_an_agent_sees_only_their_own_row(live_server: LiveServer, desk: Desk) -> None:
    iris, ana = desk.agent_in_queue, desk.assignee
    for assignee in (ana, ana, iris):
        await make_ticket(
            desk.context, connection=desk.connection, queue=desk.queue, assignee=assignee, status=TicketStatus.OPEN
        )

    async with (
        live_server.socket(live_server.token(desk.admin)) as admin_tab,
        live_server.socket(live_server.token(ana)),
    ):
        await heard(admin_tab, ana, "online")
        assert agents(await now(live_server, iris)) == [("Iris In-Queue", 1, "offline")]
        assert agents(await now(live_server, ana)) == [("Ana Assignee", 2, "online")]
        # Otto holds nothing and has no socket: no row, and nobody else's.
        assert agents(await now(live_server, desk.agent_not_in_queue)) == []
