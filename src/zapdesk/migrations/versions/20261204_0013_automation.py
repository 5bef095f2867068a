"""automation

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 09:00:00.000000

The queue menu, business hours, timers, the satisfaction survey and scheduled messages: a connection's
automation settings (one JSON document), a queue's menu number, description, options and hours, a ticket's
menu and survey state and rating, automation's memory of each ticket and its timers (due rows), scheduled
messages, the durable readers of the event log, each user's signature switch, and quick answers that are
shared (for every queue or some) or a user's own, with an optional file. Existing queues are
numbered 1, 2, 3… by name, so every existing menu starts without a repeated number.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zapdesk.db.base

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('event_cursors',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_event_cursors'))
    )
    op.create_table('automation_timers',
    sa.Column('ticket_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('due_at', zapdesk.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('after_message_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', zapdesk.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_automation_timers_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_automation_timers')),
    sa.UniqueConstraint('ticket_id', 'kind', name='uq_automation_timers_ticket_kind')
    )
    with op.batch_alter_table('automation_timers', schema=None) as batch_op:
        batch_op.create_index('ix_automation_timers_due_at', ['due_at', 'id'], unique=False)

    op.create_table('ticket_automation',
    sa.Column('ticket_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('fresh', sa.Boolean(), nullable=False),
    sa.Column('seen_status', sa.String(length=16), nullable=False),
    sa.Column('seen_queue_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('seen_assignee_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('seen_choosing', sa.Boolean(), nullable=False),
    sa.Column('menu_queue_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('menu_tries', sa.Integer(), nullable=False),
    sa.Column('out_of_hours_sent_at', zapdesk.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_automation_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_ticket_automation'))
    )
    op.create_table('scheduled_messages',
    sa.Column('connection_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('contact_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('author_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('media_type', sa.String(length=16), nullable=True),
    sa.Column('media_path', sa.String(length=255), nullable=True),
    sa.Column('media_mime', sa.String(length=127), nullable=True),
    sa.Column('media_name', sa.String(length=255), nullable=True),
    sa.Column('media_size', sa.Integer(), nullable=True),
    sa.Column('send_at', zapdesk.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('open_ticket', sa.Boolean(), nullable=False),
    sa.Column('message_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('ticket_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', zapdesk.db.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', zapdesk.db.base.UTCDateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_scheduled_messages_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], name=op.f('fk_scheduled_messages_connection_id_connections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_scheduled_messages_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_scheduled_messages_message_id_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_scheduled_messages_ticket_id_tickets'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduled_messages'))
    )
    with op.batch_alter_table('scheduled_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scheduled_messages_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scheduled_messages_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index('ix_scheduled_messages_due', ['send_at', 'id'], unique=False, sqlite_where=sa.text("state = 'scheduled'"), postgresql_where=sa.text("state = 'scheduled'"))
        batch_op.create_index('ix_scheduled_messages_send_at', ['send_at', 'id'], unique=False)

    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('automation', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))

    with op.batch_alter_table('queues', schema=None) as batch_op:
        batch_op.add_column(sa.Column('order', sa.Integer(), nullable=False, server_default=sa.text('1')))
        batch_op.add_column(sa.Column('description', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('options', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch_op.add_column(sa.Column('hours', sa.JSON(), nullable=True))
    op.execute(
        'UPDATE queues SET "order" = (SELECT CASE WHEN COUNT(*) > 99 THEN 99 ELSE COUNT(*) END'
        ' FROM queues AS earlier WHERE earlier.name <= queues.name)'
    )

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('choosing_queue', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('survey_until', zapdesk.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('rating', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('rated_at', zapdesk.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('rated_agent_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.add_column(sa.Column('rated_queue_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.create_index('ix_tickets_awaiting_rating', ['contact_id', 'connection_id'], unique=False, sqlite_where=sa.text('survey_until IS NOT NULL'), postgresql_where=sa.text('survey_until IS NOT NULL'))
        batch_op.create_foreign_key(batch_op.f('fk_tickets_rated_agent_id_users'), 'users', ['rated_agent_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_tickets_rated_queue_id_queues'), 'queues', ['rated_queue_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signature', sa.Boolean(), nullable=False, server_default=sa.true()))

    op.create_table('quick_answer_queues',
    sa.Column('quick_answer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('queue_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['queue_id'], ['queues.id'], name=op.f('fk_quick_answer_queues_queue_id_queues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['quick_answer_id'], ['quick_answers.id'], name=op.f('fk_quick_answer_queues_quick_answer_id_quick_answers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('quick_answer_id', 'queue_id', name=op.f('pk_quick_answer_queues'))
    )
    with op.batch_alter_table('quick_answer_queues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quick_answer_queues_queue_id'), ['queue_id'], unique=False)

    with op.batch_alter_table('quick_answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.add_column(sa.Column('media_type', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('media_path', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('media_mime', sa.String(length=127), nullable=True))
        batch_op.add_column(sa.Column('media_name', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('media_size', sa.Integer(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_quick_answers_shortcut'), type_='unique')
        batch_op.create_index('uq_quick_answers_personal_shortcut', ['owner_id', 'shortcut'], unique=True, sqlite_where=sa.text('owner_id IS NOT NULL'), postgresql_where=sa.text('owner_id IS NOT NULL'))
        batch_op.create_index('uq_quick_answers_shared_shortcut', ['shortcut'], unique=True, sqlite_where=sa.text('owner_id IS NULL'), postgresql_where=sa.text('owner_id IS NULL'))
        batch_op.create_foreign_key(batch_op.f('fk_quick_answers_owner_id_users'), 'users', ['owner_id'], ['id'], ondelete='CASCADE')

    # Automation starts from here: it remembers every ticket as it is now (so the next change of each is told
    # apart), and reads the event log from its current end.
    op.execute(
        'INSERT INTO ticket_automation (ticket_id, fresh, seen_status, seen_queue_id, seen_assignee_id,'
        ' seen_choosing, menu_tries) SELECT id, false, status, queue_id, assignee_id, false, 0 FROM tickets'
    )
    op.execute(
        "INSERT INTO event_cursors (name, position) SELECT 'automation', COALESCE(MAX(last_seq), 0) FROM event_log"
    )



def downgrade() -> None:
    with op.batch_alter_table('quick_answers', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_quick_answers_owner_id_users'), type_='foreignkey')
        batch_op.drop_index('uq_quick_answers_shared_shortcut', sqlite_where=sa.text('owner_id IS NULL'), postgresql_where=sa.text('owner_id IS NULL'))
        batch_op.drop_index('uq_quick_answers_personal_shortcut', sqlite_where=sa.text('owner_id IS NOT NULL'), postgresql_where=sa.text('owner_id IS NOT NULL'))
        batch_op.create_unique_constraint(batch_op.f('uq_quick_answers_shortcut'), ['shortcut'])
        batch_op.drop_column('media_size')
        batch_op.drop_column('media_name')
        batch_op.drop_column('media_mime')
        batch_op.drop_column('media_path')
        batch_op.drop_column('media_type')
        batch_op.drop_column('owner_id')

    with op.batch_alter_table('quick_answer_queues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quick_answer_queues_queue_id'))

    op.drop_table('quick_answer_queues')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('signature')

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tickets_rated_queue_id_queues'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_tickets_rated_agent_id_users'), type_='foreignkey')
        batch_op.drop_index('ix_tickets_awaiting_rating', sqlite_where=sa.text('survey_until IS NOT NULL'), postgresql_where=sa.text('survey_until IS NOT NULL'))
        batch_op.drop_column('rated_queue_id')
        batch_op.drop_column('rated_agent_id')
        batch_op.drop_column('rated_at')
        batch_op.drop_column('rating')
        batch_op.drop_column('survey_until')
        batch_op.drop_column('choosing_queue')

    with op.batch_alter_table('queues', schema=None) as batch_op:
        batch_op.drop_column('hours')
        batch_op.drop_column('options')
        batch_op.drop_column('description')
        batch_op.drop_column('order')

    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.drop_column('automation')

    with op.batch_alter_table('scheduled_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_scheduled_messages_send_at')
        batch_op.drop_index('ix_scheduled_messages_due', sqlite_where=sa.text("state = 'scheduled'"), postgresql_where=sa.text("state = 'scheduled'"))
        batch_op.drop_index(batch_op.f('ix_scheduled_messages_contact_id'))
        batch_op.drop_index(batch_op.f('ix_scheduled_messages_author_id'))

    op.drop_table('scheduled_messages')
    op.drop_table('ticket_automation')
    with op.batch_alter_table('automation_timers', schema=None) as batch_op:
        batch_op.drop_index('ix_automation_timers_due_at')

    op.drop_table('automation_timers')
    op.drop_table('event_cursors')
