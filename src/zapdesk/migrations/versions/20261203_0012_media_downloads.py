"""media downloads

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 10:00:00.000000

Received messages are stored before their files: each keeps how its engine downloads the file later, how many
tries it took, and when the next one is due (indexed where one is due, per connection).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zapdesk.db.base


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('media_state', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('media_ref', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('media_attempts', sa.Integer(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('media_due_at', zapdesk.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(
            'ix_messages_media_downloads',
            ['connection_id', 'media_due_at'],
            unique=False,
            sqlite_where=sa.text('media_due_at IS NOT NULL'),
            postgresql_where=sa.text('media_due_at IS NOT NULL'),
        )


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(
            'ix_messages_media_downloads',
            sqlite_where=sa.text('media_due_at IS NOT NULL'),
            postgresql_where=sa.text('media_due_at IS NOT NULL'),
        )
        batch_op.drop_column('media_due_at')
        batch_op.drop_column('media_attempts')
        batch_op.drop_column('media_ref')
        batch_op.drop_column('media_state')
