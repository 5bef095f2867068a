"""the inbound inbox

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 03:20:00.000000

`inbound_inbox` holds the events our WhatsApp engine program hands over, committed raw before WhatsApp gets its
receipt, until the pipeline has stored them (in the same transaction that deletes them).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'inbound_inbox',
        sa.Column('connection_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('event', sa.JSON(), nullable=False),
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], name=op.f('fk_inbound_inbox_connection_id_connections'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_inbox')),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f('ix_inbound_inbox_connection_id'), 'inbound_inbox', ['connection_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_inbound_inbox_connection_id'), table_name='inbound_inbox')
    op.drop_table('inbound_inbox')
