"""Shared fixtures: every database test runs on SQLite and on PostgreSQL, on a schema built by the migrations."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.live_server import LiveServer, live_server_for
from tests.services import in_own_thread, throwaway_database
from zapdesk.app import create_api
from zapdesk.auth.passwords import hash_password, use_hasher
from zapdesk.auth.tokens import issue_access_token
from zapdesk.config import Environment, Settings
from zapdesk.context import AppContext
from zapdesk.db.base import Base
from zapdesk.db.events import Event, Published
from zapdesk.db.migrate import upgrade_to_head
from zapdesk.queues.models import Queue
from zapdesk.users.models import Role, User

DATABASES = ("sqlite", "postgresql")
TEST_PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> None:
    """Still argon2id, at a fraction of the production cost (tens of ms per hash, far more on a busy machine)."""
    use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards; yields its URL."""
    with throwaway_database("zapdesk_test") as url:
        yield url


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of a migrated, empty database: one SQLite file, or one PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('sqlite') / 'zapdesk.db'}"
    else:
        url = str(request.getfixturevalue("postgres_database")).replace("postgresql://", "postgresql+asyncpg://")
    in_own_thread(lambda: upgrade_to_head(url))
    return url


def make_settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": Environment.TEST,
        "database_url": database_url,
        "data_dir": data_dir,
        "auth_sessions_dir": data_dir / "auth_sessions",
        "jwt_secret": "test-access-secret-" + "x" * 20,
        "jwt_refresh_secret": "test-refresh-secret-" + "y" * 20,
        "admin_password": TEST_PASSWORD,
        # Tests that need engine worker processes ask for them; the rest stay in-process.
        "run_workers": False,
    }
    values.update(overrides)
    return Settings(**values)


@contextmanager
def executed_statements(context: AppContext) -> Iterator[list[str]]:
    """The SQL statements the context's engine sends while the block runs, in order (their first word: SELECT,
    UPDATE, …)."""
    sent: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement.split()[0])

    event.listen(context.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(context.engine.sync_engine, "before_cursor_execute", record)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path / "data")


@dataclass(frozen=True, slots=True)
class Heard:
    """A published event as a test reads it: its payload as the JSON a browser receives."""

    name: str
    payload: dict[str, Any]
    rooms: tuple[str, ...]
    seq: int | None
    event: Event[Any]


class EventLog:
    """Collects what the app publishes after commit, so tests can assert on it: `events` for browsers (in the
    event log, with positions), `internal` for the server itself (worker nudges)."""

    def __init__(self) -> None:
        self.events: list[Heard] = []
        self.internal: list[Heard] = []

    async def __call__(self, events: Sequence[Published]) -> None:
        for item in events:
            heard = Heard(item.name, item.event.data, item.event.rooms, item.seq, item.event)
            (self.events if item.event.for_browsers else self.internal).append(heard)

    def named(self, name: str) -> list[Heard]:
        return [heard for heard in [*self.events, *self.internal] if heard.name == name]


@pytest.fixture
def published() -> EventLog:
    return EventLog()


@pytest.fixture
async def context(settings: Settings, published: EventLog) -> AsyncIterator[AppContext]:
    context = AppContext.from_settings(settings)
    context.sink = published
    try:
        yield context
    finally:
        await _empty_all_tables(context)
        await context.close()


async def _empty_all_tables(context: AppContext) -> None:
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    async with context.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
async def session(context: AppContext) -> AsyncIterator[AsyncSession]:
    """A session for arranging and checking data directly; the test commits what it arranges."""
    async with context.sessionmaker() as session:
        yield session


@pytest.fixture
async def client(context: AppContext) -> AsyncIterator[httpx.AsyncClient]:
    api = create_api(context)
    transport = httpx.ASGITransport(app=api)
    async with httpx.AsyncClient(transport=transport, base_url="http://zapdesk.test") as client:
        yield client


MakeUser = Callable[..., Awaitable[User]]


@pytest.fixture
def make_user(context: AppContext) -> MakeUser:
    """Create a user (committed) with the given role and queues."""
    counter = iter(range(1, 1_000_000))

    async def make(
        *,
        role: Role = Role.AGENT,
        queues: list[Queue] | None = None,
        name: str | None = None,
        email: str | None = None,
        password: str = TEST_PASSWORD,
    ) -> User:
        number = next(counter)
        async with context.sessionmaker() as session:
            user = User(
                name=name or f"{role.value.title()} {number}",
                email=email or f"{role.value}{number}@example.com",
                password_hash=hash_password(password),
                role=role,
                queues=[await session.merge(queue) for queue in queues or []],
            )
            session.add(user)
            await session.commit()
            return user

    return make


@pytest.fixture
def auth_headers(settings: Settings) -> Callable[[User], dict[str, str]]:
    def headers(user: User) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_access_token(settings, user.id, user.role)}"}

    return headers


@pytest.fixture
async def live_server(context: AppContext, published: EventLog) -> AsyncIterator[LiveServer]:
    """The whole app served by uvicorn on a loopback port for this test's `context` (see tests/live_server.py)."""
    async with live_server_for(context, published) as server:
        yield server
