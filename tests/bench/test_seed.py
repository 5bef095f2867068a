"""The benchmark seeder keeps working as the schema moves: a small seeded database is complete and consistent."""

from __future__ import annotations

from collections.abc import Iterator

import asyncpg
import pytest

from bench.seed import AGENT_PASSWORD, Scale, seed
from tests.services import throwaway_database
from zapdesk.auth.passwords import verify_password


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    with throwaway_database("zapdesk_seed") as url:
        yield url


async def test_seeded_database_has_the_asked_sizes_and_consistent_tickets(empty_postgres: str) -> None:
    report = await seed(empty_postgres, Scale(tickets=300, contacts=80, messages=2_000, agents=5))
    assert report.total_seconds > 0
    connection = await asyncpg.connect(empty_postgres)
    try:
        counts = {
            table: await connection.fetchval(f"SELECT count(*) FROM {table}")
            for table in ("contacts", "tickets", "messages")
        }
        assert counts == {"contacts": 80, "tickets": 300, "messages": 2_000}
        statuses = dict(await connection.fetch("SELECT status, count(*) FROM tickets GROUP BY status"))
        assert set(statuses) == {"pending", "open", "closed"}
        # Every ticket's preview is its last message, and its activity is that message's time.
        mismatched = await connection.fetchval(
            "SELECT count(*) FROM tickets t JOIN LATERAL (SELECT body, sent_at FROM messages m "
            "WHERE m.ticket_id = t.id ORDER BY m.id DESC LIMIT 1) last ON true "
            "WHERE t.last_message_preview <> last.body OR t.last_activity_at <> last.sent_at"
        )
        assert mismatched == 0
        # New rows get ids after the seeded ones.
        next_id = await connection.fetchval("SELECT nextval(pg_get_serial_sequence('messages', 'id'))")
        assert next_id == 2_001
        agent_hash = await connection.fetchval("SELECT password_hash FROM users WHERE email = 'agent01@zapdesk.test'")
        assert verify_password(agent_hash, AGENT_PASSWORD)
    finally:
        await connection.close()
