"""serial ticket scans

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 08:30:00.000000

PostgreSQL only: no parallel workers for scans of `tickets`. The ticket list and search read one page (LIMIT 31)
by walking an index newest-first; run in parallel, each worker walks its own share past the page and the leader
waits for them all. On the seeded benchmark (100,000 tickets, 1,000,000 messages, 2 cores) a search for a name
found in one message out of a thousand took about 900 ms in parallel and 70 ms serially.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE tickets SET (parallel_workers = 0)')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE tickets RESET (parallel_workers)')
