"""The real server on a loopback port, inside the test's event loop, for real HTTP and Socket.IO clients.

The `live_server` fixture (tests/conftest.py) serves the whole app (REST + Socket.IO, lifespan included)
for the test's `context`, so data arranged with the `session` fixture is what the server sees, and the
`published` fixture still records every committed event:

    async def test_agent_sees_new_message(live_server: LiveServer, make_user, ...):
        agent = await make_user(queues=[queue])
        async with live_server.socket(live_server.token(agent)) as socket:
            async with live_server.http(agent) as http:
                await http.post(f"/api/tickets/{ticket.id}/messages", json={"body": "hi"})
            payload = await socket.wait_for("message.created")

For other set-ups (two servers sharing Redis, other settings), serve any ASGI app yourself:

    async with serve(assemble_server(other_context).asgi) as url:
        ...
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import socketio
import uvicorn
from starlette.types import ASGIApp

from tests.loopback import CLIENT_LIMITS, tcp_listener
from zapdesk.app import AssembledServer, assemble_server
from zapdesk.auth.tokens import issue_access_token
from zapdesk.context import AppContext
from zapdesk.db.events import EventSink, Published
from zapdesk.realtime.publisher import SOCKET_EVENT
from zapdesk.users.models import User

# Every wait in these helpers is bounded: a missing event fails the test instead of hanging it.
DEFAULT_WAIT = 5.0


class _InLoopServer(uvicorn.Server):
    # The test runner owns the process's signals (Ctrl-C must still stop pytest).
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


@contextlib.asynccontextmanager
async def serve(app: ASGIApp, *, host: str = "127.0.0.1", startup_timeout: float = 10.0) -> AsyncIterator[str]:
    """Serve `app` with uvicorn on a free port of `host` until the block ends; yields the base URL.

    The lifespan runs (startup before the block, shutdown after it); a failing startup raises here.
    """
    listener = tcp_listener(host)
    port = listener.getsockname()[1]
    config = uvicorn.Config(app, lifespan="on", log_config=None, access_log=False, timeout_graceful_shutdown=5)
    server = _InLoopServer(config)
    task = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        async with asyncio.timeout(startup_timeout):
            while not server.started:
                if task.done():
                    break
                await asyncio.sleep(0.01)
        if task.done():
            # uvicorn logs the cause (logger "uvicorn.error") and exits with SystemExit on a failed startup.
            raise RuntimeError("the app failed to start; see the uvicorn.error log above") from task.exception()
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        if not task.done():
            await asyncio.wait_for(task, timeout=15)
        listener.close()


class SocketEvents:
    """A python-socketio `AsyncClient` that records every event it receives, in order: each domain event (which
    arrives as the Socket.IO event "event", `{"seq", "name", "payload"}`) as its name and payload, its position
    in `positions`."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.received: list[tuple[str, Any]] = []
        self.positions: list[int | None] = []
        self.refusal: Any = None
        self._arrived = asyncio.Condition()
        self._disconnected = asyncio.Event()
        self.client.on("*", self._record)
        self.client.on("connect_error", self._refused)
        self.client.on("disconnect", self._on_disconnect)

    async def _record(self, name: str, data: Any = None) -> None:
        seq = None
        if name == SOCKET_EVENT and isinstance(data, dict):
            name, data, seq = data["name"], data["payload"], data["seq"]
        async with self._arrived:
            self.received.append((name, data))
            self.positions.append(seq)
            self._arrived.notify_all()

    async def _refused(self, data: Any = None) -> None:
        self.refusal = data

    async def _on_disconnect(self, _reason: Any = None) -> None:
        self._disconnected.set()

    async def wait_disconnected(self, *, timeout: float = DEFAULT_WAIT) -> None:
        """Until the server closes this socket (or `timeout` passes: TimeoutError)."""
        async with asyncio.timeout(timeout):
            await self._disconnected.wait()

    def named(self, name: str) -> list[Any]:
        """Payloads of the events called `name` received so far."""
        return [data for event, data in self.received if event == name]

    async def wait_for(
        self, name: str, where: Callable[[Any], bool] = lambda _payload: True, *, timeout: float = DEFAULT_WAIT
    ) -> Any:
        """The first payload of an event `name` matching `where` (already received, or within `timeout`)."""

        def found() -> Any:
            return next((data for event, data in self.received if event == name and where(data)), None)

        async with asyncio.timeout(timeout), self._arrived:
            await self._arrived.wait_for(lambda: found() is not None)
            return found()


@dataclass
class LiveServer:
    """A running app: its base `url`, the `context` it serves, and its assembled parts."""

    url: str
    context: AppContext
    assembled: AssembledServer

    def token(self, user: User) -> str:
        return issue_access_token(self.context.settings, user.id, user.role)

    def http(self, user: User | None = None, **kwargs: Any) -> httpx.AsyncClient:
        """An httpx client on the server (signed in as `user` when given); use it with `async with`."""
        headers: dict[str, str] = dict(kwargs.pop("headers", {}))
        if user is not None:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        return httpx.AsyncClient(
            base_url=self.url, headers=headers, timeout=DEFAULT_WAIT, limits=CLIENT_LIMITS, **kwargs
        )

    @contextlib.asynccontextmanager
    async def socket(
        self,
        token: str | None,
        *,
        transports: list[str] | None = None,
        headers: Mapping[str, str] | None = None,
        query: str = "",
    ) -> AsyncIterator[SocketEvents]:
        """A connected Socket.IO client (token sent as socket.io-client does: `auth={"token": ...}`)."""
        events = await connect_socket(self.url, token, transports=transports, headers=headers, query=query)
        try:
            yield events
        finally:
            await events.client.disconnect()


@contextlib.asynccontextmanager
async def live_server_for(context: AppContext, *also: EventSink) -> AsyncIterator[LiveServer]:
    """Assemble and serve the whole app on `context`; committed events also go to each sink in `also`."""
    assembled = assemble_server(context)
    realtime_sink = context.sink

    async def publish(events: Sequence[Published]) -> None:
        for sink in also:
            await sink(events)
        await realtime_sink(events)

    context.sink = publish
    async with serve(assembled.asgi) as url:
        yield LiveServer(url=url, context=context, assembled=assembled)


async def connect_socket(
    url: str,
    token: str | None,
    *,
    transports: list[str] | None = None,
    headers: Mapping[str, str] | None = None,
    query: str = "",
) -> SocketEvents:
    """Connect a recording client to `url`; raises `socketio.exceptions.ConnectionError` when refused.

    On refusal the server's reason is in the exception's `refusal` attribute (`{"message", "data": {"code"}}`).
    """
    events = SocketEvents()
    try:
        await events.client.connect(
            f"{url}?{query}" if query else url,
            auth={"token": token} if token is not None else None,
            headers=dict(headers or {}),
            transports=transports or ["websocket"],
            wait_timeout=DEFAULT_WAIT,
        )
    except socketio.exceptions.ConnectionError as exc:
        exc.refusal = events.refusal
        await events.client.disconnect()
        raise
    return events
