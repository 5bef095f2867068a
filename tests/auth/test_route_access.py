"""Who may call what, for the auth, users, queues, quick-answers, settings and meta routes.

Each route is called three times: without a token (401 unless public), as an agent (403 on admin
routes), and as an admin (always allowed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import MakeUser
from zapdesk.queues.models import Queue
from zapdesk.quick_answers.models import QuickAnswer
from zapdesk.users.models import Role, User

Access = Literal["public", "user", "admin"]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    access: Access
    body: dict[str, Any] | None = None


ROUTES = [
    Route("GET", "/api/meta", "public"),
    Route("GET", "/api/auth/me", "user"),
    Route("GET", "/api/users", "admin"),
    Route("GET", "/api/users/directory", "user"),
    Route("POST", "/api/users", "admin", {"name": "New", "email": "new@example.com", "password": "long-enough"}),
    Route("GET", "/api/users/{user}", "admin"),
    Route("PATCH", "/api/users/{user}", "admin", {"name": "Renamed"}),
    Route("DELETE", "/api/users/{user}", "admin"),
    Route("GET", "/api/queues", "user"),
    Route("GET", "/api/queues/{queue}", "user"),
    Route("POST", "/api/queues", "admin", {"name": "Financeiro"}),
    Route("PATCH", "/api/queues/{queue}", "admin", {"color": "#000000"}),
    Route("DELETE", "/api/queues/{queue}", "admin"),
    Route("GET", "/api/quick-answers", "user"),
    Route("GET", "/api/quick-answers/{answer}", "user"),
    Route("POST", "/api/quick-answers", "user", {"shortcut": "tchau", "text": "Até logo!"}),  # an agent's is personal
    Route("PATCH", "/api/quick-answers/{answer}", "admin", {"text": "Olá de novo!"}),
    Route("DELETE", "/api/quick-answers/{answer}", "admin"),
    Route("GET", "/api/settings", "admin"),
    Route("PUT", "/api/settings/ignore_group_messages", "admin", {"value": True}),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method} {route.path}")
async def test_route_access_for_anonymous_agent_and_admin(
    route: Route,
    client: httpx.AsyncClient,
    session: AsyncSession,
    make_user: MakeUser,
    auth_headers: Callable[[User], dict[str, str]],
) -> None:
    queue, answer = Queue(name="Vendas"), QuickAnswer(shortcut="ola", text="Olá!")
    session.add_all([queue, answer])
    await session.commit()
    target = await make_user(name="Target")
    agent, admin = await make_user(role=Role.AGENT), await make_user(role=Role.ADMIN)
    path = route.path.format(user=target.id, queue=queue.id, answer=answer.id)

    async def call(headers: dict[str, str]) -> int:
        response = await client.request(route.method, path, json=route.body, headers=headers)
        return response.status_code

    anonymous_status = await call({})
    agent_status = await call(auth_headers(agent))
    admin_status = await call(auth_headers(admin))

    assert anonymous_status == (200 if route.access == "public" else 401)
    if route.access == "admin":
        assert agent_status == 403
    else:
        assert 200 <= agent_status < 300
    assert 200 <= admin_status < 300
