"""search and activity indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 07:40:00.000000

The ticket list without a status filter walks `ix_tickets_activity`; search finds contacts' tickets through
`ix_tickets_contact_id`. On PostgreSQL, substring search (ILIKE '%…%') on message text, contact names and
phone numbers uses trigram indexes when the pg_trgm extension is available (it ships with PostgreSQL's contrib
and is trusted: the database owner may create it); without it, search still works, by scanning.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGRAM_INDEXES = (
    ('ix_messages_body_trgm', 'messages', 'body'),
    ('ix_contacts_name_trgm', 'contacts', 'name'),
    ('ix_contacts_phone_trgm', 'contacts', 'phone'),
)


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_activity', ['last_activity_at', 'id'], unique=False)
        batch_op.create_index('ix_tickets_contact_id', ['contact_id'], unique=False)
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    available = bind.exec_driver_sql("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").first()
    if available is None:
        return
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for name, table, column in TRIGRAM_INDEXES:
        op.execute(f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for name, _table, _column in TRIGRAM_INDEXES:
            op.execute(f'DROP INDEX IF EXISTS {name}')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_contact_id')
        batch_op.drop_index('ix_tickets_activity')
