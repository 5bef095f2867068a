"""message actions

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 15:00:41.383967

Reactions and read marks waiting to be told to WhatsApp by the outbox, one row each until told.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zapdesk.db.base


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('message_actions',
    sa.Column('connection_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('message_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('emoji', sa.String(length=32), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', zapdesk.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], name=op.f('fk_message_actions_connection_id_connections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_message_actions_message_id_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_actions'))
    )
    with op.batch_alter_table('message_actions', schema=None) as batch_op:
        batch_op.create_index('ix_message_actions_connection_id_id', ['connection_id', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('message_actions', schema=None) as batch_op:
        batch_op.drop_index('ix_message_actions_connection_id_id')

    op.drop_table('message_actions')
