"""dead letters and the engine that runs a connection

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 15:00:00.000000

`dead_letters` keeps inbound events whose ingest failed for a reason other than the database being down, raw,
until an administrator retries or discards them. `connections.engine` names the program that ran the session.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zapdesk.db.base

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('connections') as batch:
        batch.add_column(sa.Column('engine', sa.String(length=32), nullable=True))
    op.create_table(
        'dead_letters',
        sa.Column('connection_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('external_id', sa.String(length=255), nullable=True),
        sa.Column('event', sa.JSON(), nullable=False),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('created_at', zapdesk.db.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.Column('updated_at', zapdesk.db.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], name=op.f('fk_dead_letters_connection_id_connections'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dead_letters')),
    )
    op.create_index(op.f('ix_dead_letters_connection_id'), 'dead_letters', ['connection_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_dead_letters_connection_id'), table_name='dead_letters')
    op.drop_table('dead_letters')
    with op.batch_alter_table('connections') as batch:
        batch.drop_column('engine')
