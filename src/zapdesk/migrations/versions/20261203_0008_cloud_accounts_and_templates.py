"""cloud accounts and templates

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 14:48:01.738399

The Cloud API channel: each `cloud` connection's Meta account (ids in clear, secrets as one Fernet token), the
cached message templates of each WhatsApp Business Account, and what the network says of a number (`profile`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zapdesk.db.base


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('cloud_templates',
    sa.Column('business_account_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=512), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('components', sa.JSON(), nullable=False),
    sa.Column('fetched_at', zapdesk.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cloud_templates')),
    sa.UniqueConstraint('business_account_id', 'name', 'language', name=op.f('uq_cloud_templates_business_account_id'))
    )
    op.create_table('cloud_accounts',
    sa.Column('connection_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('phone_number_id', sa.String(length=32), nullable=False),
    sa.Column('business_account_id', sa.String(length=32), nullable=False),
    sa.Column('secrets', sa.Text(), nullable=False),
    sa.Column('created_at', zapdesk.db.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', zapdesk.db.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], name=op.f('fk_cloud_accounts_connection_id_connections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('connection_id', name=op.f('pk_cloud_accounts')),
    sa.UniqueConstraint('phone_number_id', name=op.f('uq_cloud_accounts_phone_number_id'))
    )
    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('profile', sa.JSON(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.drop_column('profile')

    op.drop_table('cloud_accounts')
    op.drop_table('cloud_templates')
