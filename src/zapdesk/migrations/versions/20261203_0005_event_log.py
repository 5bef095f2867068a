"""event log

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 15:00:00.000000

Committed events for browsers by position, one row per transaction (see `zapdesk.db.journal`): a client that
reconnects asks for what came after the last position it applied.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'event_log',
        sa.Column('last_seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
        sa.Column('first_seq', sa.BigInteger(), nullable=False),
        sa.Column('events', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('last_seq', name=op.f('pk_event_log')),
    )


def downgrade() -> None:
    op.drop_table('event_log')
