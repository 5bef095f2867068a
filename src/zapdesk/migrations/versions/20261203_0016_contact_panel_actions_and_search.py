"""contact_panel_actions_and_search

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 17:33:25.383255

The contact panel: notes about a contact, its profile picture fetched through the engine (and when it is due
again), and the custom fields an administrator defines (label, type) for every contact; and the queue (and history) of
edits and deletions agents make to messages (an edit's text on the outbox's action queue; what each replaced,
for administrators); and search without accents: message bodies and contact names folded (lower case, accents
off) beside the text, filled here for what is stored, with trigram indexes on PostgreSQL when pg_trgm is
available (as in 0003).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zapdesk.db.base
from zapdesk.db.folding import fold

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLDED_INDEXES = (
    ('ix_messages_body_search_trgm', 'messages', 'body_search'),
    ('ix_contacts_name_search_trgm', 'contacts', 'name_search'),
)
REPLACED_INDEXES = (('ix_messages_body_trgm', 'messages', 'body'), ('ix_contacts_name_trgm', 'contacts', 'name'))
BATCH = 5000


def upgrade() -> None:
    op.create_table('contact_fields',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', zapdesk.db.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', zapdesk.db.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_fields')),
    sa.UniqueConstraint('key', name=op.f('uq_contact_fields_key'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notes', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('avatar_path', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('avatar_checked_at', zapdesk.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('avatar_due_at', zapdesk.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_contacts_avatar_due', ['avatar_due_at'], unique=False, sqlite_where=sa.text('avatar_due_at IS NOT NULL'), postgresql_where=sa.text('avatar_due_at IS NOT NULL'))

    op.create_table('message_revisions',
    sa.Column('message_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('author_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('previous', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', zapdesk.db.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', zapdesk.db.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_message_revisions_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_message_revisions_message_id_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_revisions'))
    )
    with op.batch_alter_table('message_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_revisions_message_id'), ['message_id'], unique=False)

    with op.batch_alter_table('message_actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text', sa.Text(), server_default='', nullable=False))

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_search', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_search', sa.String(length=160), server_default='', nullable=False))
    _fill_folded('messages', 'body', 'body_search')
    _fill_folded('contacts', 'name', 'name_search')
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql' and bind.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").first():
        for name, table, column in FOLDED_INDEXES:
            op.execute(f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)')
        # Search reads the folded copies now: the indexes on the raw text would only cost writes.
        for name, _table, _column in REPLACED_INDEXES:
            op.execute(f'DROP INDEX IF EXISTS {name}')


def _fill_folded(table: str, source: str, target: str) -> None:
    """The folded copy of what is already stored, a batch of rows at a time (keyset on id)."""
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.text(f'SELECT id, {source} FROM {table} WHERE id > :last ORDER BY id LIMIT {BATCH}'), {'last': last}
        ).all()
        if not rows:
            return
        bind.execute(
            sa.text(f'UPDATE {table} SET {target} = :folded WHERE id = :id'),
            [{'id': row[0], 'folded': fold(row[1] or '')} for row in rows],
        )
        last = rows[-1][0]


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        for name, _table, _column in FOLDED_INDEXES:
            op.execute(f'DROP INDEX IF EXISTS {name}')
        if bind.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").first():
            for name, table, column in REPLACED_INDEXES:
                op.execute(f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('name_search')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('body_search')
    with op.batch_alter_table('message_actions', schema=None) as batch_op:
        batch_op.drop_column('text')

    with op.batch_alter_table('message_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_revisions_message_id'))

    op.drop_table('message_revisions')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_contacts_avatar_due', sqlite_where=sa.text('avatar_due_at IS NOT NULL'), postgresql_where=sa.text('avatar_due_at IS NOT NULL'))
        batch_op.drop_column('avatar_due_at')
        batch_op.drop_column('avatar_checked_at')
        batch_op.drop_column('avatar_path')
        batch_op.drop_column('notes')

    op.drop_table('contact_fields')
