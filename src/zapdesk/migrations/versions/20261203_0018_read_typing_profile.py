"""read receipts switch, typing, own profile

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 22:20:00.000000

A connection's switch for telling customers we read them (on by default, as before); a user's language and
notification preferences (all on by default); and the expiry of the outbox's short-lived actions (typing).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zapdesk.db.base

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOTIFY_COLUMNS = ('notify_sound', 'notify_desktop', 'notify_transfers', 'notify_mentions', 'notify_messages')


def upgrade() -> None:
    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('send_read_receipts', sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))
        for column in NOTIFY_COLUMNS:
            batch_op.add_column(sa.Column(column, sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table('message_actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', zapdesk.db.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('message_actions', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        for column in reversed(NOTIFY_COLUMNS):
            batch_op.drop_column(column)
        batch_op.drop_column('language')
    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.drop_column('send_read_receipts')
