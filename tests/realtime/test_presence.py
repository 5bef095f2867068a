"""Presence: a user is online while a socket of theirs is connected, away when every such tab says it is hidden
or idle, offline with none; every signed-in socket hears the changes, and GET /api/presence answers the same —
across server processes too, when they share Redis."""

from __future__ import annotations

from tests.live_server import LiveServer, SocketEvents
from tests.realtime.test_redis_fanout import redis_settings, servers, wait_for_subscribers
from tests.tickets.factories import Desk
from zapdesk.config import Settings
from zapdesk.realtime.server import PRESENCE_EVENT

__all__ = ["redis_settings", "servers"]


def said(user_id: int, state: str) -> dict[str, object]:
    return {"user_id": user_id, "state": state}


async def listed(server: LiveServer, desk: Desk) -> list[dict[str, object]]:
    async with server.http(desk.agent_in_queue) as http:
        response = await http.get("/api/presence")
    assert response.status_code == 200, response.text
    body: list[dict[str, object]] = response.json()
    return body


async def heard(socket: SocketEvents, user_id: int, state: str) -> None:
    await socket.wait_for(PRESENCE_EVENT, lambda payload: payload == said(user_id, state))


async def a_day_at_the_desk(watched_on: LiveServer, agent_on: LiveServer, desk: Desk) -> None:
    """The agent opens a tab on `agent_on`, steps away, comes back and leaves; an admin on `watched_on` hears each
    change, and the list of who is at their desk there agrees."""
    agent = desk.agent_in_queue
    async with watched_on.socket(watched_on.token(desk.admin)) as admin:
        async with agent_on.socket(agent_on.token(agent)) as tab:
            await heard(admin, agent.id, "online")
            assert said(agent.id, "online") in await listed(watched_on, desk)

            await tab.client.emit(PRESENCE_EVENT, {"away": True})
            await heard(admin, agent.id, "away")
            assert said(agent.id, "away") in await listed(watched_on, desk)

            await tab.client.emit(PRESENCE_EVENT, {"away": False})
            await heard(admin, agent.id, "online")
        await heard(admin, agent.id, "offline")
    assert agent.id not in {item["user_id"] for item in await listed(watched_on, desk)}


async def test_an_agent_is_online_with_a_socket_away_when_their_tab_says_so_and_offline_when_gone(
    live_server: LiveServer, desk: Desk
) -> None:
    await a_day_at_the_desk(live_server, live_server, desk)


async def test_one_visible_tab_keeps_an_agent_online_while_another_is_hidden(
    live_server: LiveServer, desk: Desk
) -> None:
    agent = desk.agent_in_queue
    async with (
        live_server.socket(live_server.token(desk.admin)) as admin,
        live_server.socket(live_server.token(agent)) as hidden_tab,
        live_server.socket(live_server.token(agent)),
    ):
        await hidden_tab.client.emit(PRESENCE_EVENT, {"away": True})

        # Every change is announced: the third "online" (after one per tab) answers the hidden tab.
        await admin.wait_for(
            PRESENCE_EVENT, lambda _p: admin.named(PRESENCE_EVENT).count(said(agent.id, "online")) == 3
        )
        assert said(agent.id, "away") not in admin.named(PRESENCE_EVENT)
        assert said(agent.id, "online") in await listed(live_server, desk)


async def test_presence_on_one_server_is_seen_from_the_other(
    servers: tuple[LiveServer, LiveServer], desk: Desk, redis_settings: Settings
) -> None:
    first, second = servers
    await wait_for_subscribers(redis_settings, f"{redis_settings.redis_prefix}:presence", 2)
    await a_day_at_the_desk(second, first, desk)
