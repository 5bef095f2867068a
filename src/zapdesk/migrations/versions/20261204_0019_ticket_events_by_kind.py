"""ticket events by kind and time

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 03:40:00.000000

The dashboard counts the reopenings of a period from the tickets' history: without this index, every summary read
the whole history table (a year of a busy desk: hundreds of thousands of rows).
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_events_kind_at', ['kind', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_events_kind_at')
