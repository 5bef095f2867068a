"""The Socket.IO handshake: only a valid access token of an existing user gets a socket, in its user's rooms."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest
import socketio
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import MakeUser
from tests.live_server import LiveServer, connect_socket
from zapdesk.auth.tokens import ALGORITHM, issue_refresh_token
from zapdesk.db.base import utcnow
from zapdesk.queues.models import Queue
from zapdesk.users.models import Role, User


async def refusal_of(live_server: LiveServer, token: str | None, **kwargs: object) -> object:
    with pytest.raises(socketio.exceptions.ConnectionError) as refused:
        await connect_socket(live_server.url, token, **kwargs)  # type: ignore[arg-type]
    return getattr(refused.value, "refusal", None)


def server_rooms(live_server: LiveServer, sid: str | None) -> set[str]:
    return set(live_server.assembled.realtime.sio.rooms(sid)) - {sid}


async def test_socket_without_token_is_refused(live_server: LiveServer) -> None:
    refusal = await refusal_of(live_server, None)
    assert refusal == {
        "message": "Sign in first: send the access token in auth.token.",
        "data": {"code": "unauthorized"},
    }


async def test_socket_with_token_signed_by_another_secret_is_refused(
    live_server: LiveServer, make_user: MakeUser
) -> None:
    agent = await make_user()
    forged = jwt.encode(
        {"sub": str(agent.id), "role": "admin", "typ": "access", "exp": utcnow() + timedelta(minutes=5)},
        "not-the-server-secret-" + "z" * 20,
        algorithm=ALGORITHM,
    )
    refusal = await refusal_of(live_server, forged)
    assert refusal == {"message": "The token is invalid.", "data": {"code": "token_invalid"}}


async def test_socket_with_expired_token_is_refused(live_server: LiveServer, make_user: MakeUser) -> None:
    agent = await make_user()
    expired = jwt.encode(
        {"sub": str(agent.id), "role": agent.role, "typ": "access", "exp": utcnow() - timedelta(seconds=1)},
        live_server.context.settings.jwt_secret,
        algorithm=ALGORITHM,
    )
    refusal = await refusal_of(live_server, expired)
    assert refusal == {
        "message": "Your session has expired. Please sign in again.",
        "data": {"code": "token_expired"},
    }


async def test_socket_with_refresh_token_is_refused(live_server: LiveServer, make_user: MakeUser) -> None:
    agent = await make_user()
    refresh, _claims = issue_refresh_token(live_server.context.settings, agent.id)
    refusal = await refusal_of(live_server, refresh)
    assert refusal == {"message": "The token is invalid.", "data": {"code": "token_invalid"}}


async def test_socket_of_deleted_user_is_refused(
    live_server: LiveServer, make_user: MakeUser, session: AsyncSession
) -> None:
    agent = await make_user()
    token = live_server.token(agent)
    await session.execute(delete(User).where(User.id == agent.id))
    await session.commit()
    refusal = await refusal_of(live_server, token)
    assert refusal == {"message": "This account no longer exists.", "data": {"code": "user_gone"}}


async def test_socket_from_foreign_origin_is_refused_by_default(live_server: LiveServer, make_user: MakeUser) -> None:
    agent = await make_user()
    await refusal_of(live_server, live_server.token(agent), headers={"Origin": "http://evil.example"})
    assert live_server.assembled.realtime.sio.manager.rooms.get("/", {}).get("agents") is None


async def test_agent_socket_joins_its_user_agents_and_queue_rooms(
    live_server: LiveServer, make_user: MakeUser, session: AsyncSession
) -> None:
    sales, support = Queue(name="Vendas"), Queue(name="Suporte")
    session.add_all([sales, support])
    await session.commit()
    agent = await make_user(queues=[sales, support])
    async with live_server.socket(live_server.token(agent)) as socket:
        rooms = server_rooms(live_server, socket.client.get_sid())
    assert rooms == {"agents", f"user:{agent.id}", f"queue:{sales.id}", f"queue:{support.id}"}


async def test_admin_socket_joins_admins_and_its_user_room(live_server: LiveServer, make_user: MakeUser) -> None:
    admin = await make_user(role=Role.ADMIN)
    async with live_server.socket(live_server.token(admin)) as socket:
        rooms = server_rooms(live_server, socket.client.get_sid())
    assert rooms == {"admins", f"user:{admin.id}"}


async def test_token_is_accepted_from_authorization_header_on_polling_handshake(
    live_server: LiveServer, make_user: MakeUser
) -> None:
    agent = await make_user()
    headers = {"Authorization": f"Bearer {live_server.token(agent)}"}
    async with live_server.socket(None, transports=["polling", "websocket"], headers=headers) as socket:
        assert server_rooms(live_server, socket.client.get_sid()) == {"agents", f"user:{agent.id}"}


async def test_token_is_accepted_from_query_string(live_server: LiveServer, make_user: MakeUser) -> None:
    agent = await make_user()
    async with live_server.socket(None, query=f"token={live_server.token(agent)}") as socket:
        assert server_rooms(live_server, socket.client.get_sid()) == {"agents", f"user:{agent.id}"}
