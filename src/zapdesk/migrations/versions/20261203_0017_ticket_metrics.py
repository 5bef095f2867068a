"""ticket metrics

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 18:45:00.000000

Per-ticket service metrics (`zapdesk.tickets.metrics`): waiting, first response and resolution time, transfer,
reopen and message counts. Existing tickets are backfilled by folding the same functions that fix
the figures live over their stored history and messages, in batches so memory stays flat. Tickets older than
the history (migration 0006) get only what their messages and `closed_at` tell.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import zapdesk.db.base
from zapdesk.migrations.batches import rows_by_id
from zapdesk.tickets import metrics

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = zapdesk.db.base.UTCDateTime(timezone=True)
_BATCH = 1000
_COUNTS = ('transfer_count', 'reopen_count', 'message_count')
_NULLABLE = ('waiting_since', 'waiting_seconds', 'first_customer_message_at', 'first_response_seconds',
             'resolution_seconds')


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waiting_since', _UTC, nullable=True))
        batch_op.add_column(sa.Column('waiting_seconds', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('first_customer_message_at', _UTC, nullable=True))
        batch_op.add_column(sa.Column('first_response_seconds', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('resolution_seconds', sa.Integer(), nullable=True))
        for name in _COUNTS:
            batch_op.add_column(sa.Column(name, sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index('ix_tickets_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_tickets_closed_at', ['closed_at'], unique=False)
    _backfill(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_closed_at')
        batch_op.drop_index('ix_tickets_created_at')
        for name in (*_NULLABLE, *_COUNTS):
            batch_op.drop_column(name)


# --- backfill --------------------------------------------------------------------------------------------

_tickets = sa.table('tickets', sa.column('id', sa.Integer), sa.column('created_at', _UTC),
                    sa.column('closed_at', _UTC), *(sa.column(name) for name in (*_NULLABLE, *_COUNTS)))
_events = sa.table('ticket_events', sa.column('id', sa.Integer), sa.column('ticket_id', sa.Integer),
                   sa.column('kind', sa.String), sa.column('at', _UTC), sa.column('to_user_id', sa.Integer))
_messages = sa.table('messages', sa.column('id', sa.Integer), sa.column('ticket_id', sa.Integer),
                     sa.column('from_me', sa.Boolean), sa.column('type', sa.String), sa.column('extra', sa.JSON),
                     sa.column('sent_at', _UTC), sa.column('created_at', _UTC))


@dataclass(slots=True)
class _Ticket:
    """A ticket's metric columns while its past is folded (`metrics.MetricColumns`)."""

    created_at: datetime
    waiting_since: datetime | None = None
    waiting_seconds: int | None = None
    first_customer_message_at: datetime | None = None
    first_response_seconds: int | None = None
    resolution_seconds: int | None = None
    transfer_count: int = 0
    reopen_count: int = 0
    message_count: int = 0
    has_history: bool = field(default=False)


@dataclass(frozen=True, slots=True)
class _Event:
    kind: str
    at: datetime
    to_user_id: int | None


@dataclass(frozen=True, slots=True)
class _Message:
    from_me: bool
    type: str
    extra: dict[str, Any]


def _backfill(bind: sa.Connection) -> None:
    for rows in rows_by_id(bind, _tickets, 'created_at', 'closed_at', size=_BATCH):
        ids = [row.id for row in rows]
        folded = {row.id: _Ticket(created_at=row.created_at) for row in rows}
        # (time, 0 for history / 1 for messages, id): a history line goes before a message of the same instant,
        # as the services record them (a ticket's `created` line precedes its first message).
        facts: list[tuple[datetime, int, int, int, _Event | tuple[_Message, datetime]]] = []
        for event in bind.execute(sa.select(_events).where(_events.c.ticket_id.in_(ids))):
            facts.append((event.at, 0, event.id, event.ticket_id,
                          _Event(event.kind, event.at, event.to_user_id)))
        for message in bind.execute(sa.select(_messages).where(_messages.c.ticket_id.in_(ids))):
            moment = message.sent_at or message.created_at
            facts.append((moment, 1, message.id, message.ticket_id,
                          (_Message(message.from_me, message.type, message.extra or {}), moment)))
        for _, _, _, ticket_id, fact in sorted(facts, key=lambda item: item[:3]):
            ticket = folded[ticket_id]
            if isinstance(fact, _Event):
                ticket.has_history = True
                metrics.apply_event(ticket, fact)
            else:
                metrics.apply_message(ticket, fact[0], fact[1])
        for row in rows:
            ticket = folded[row.id]
            if not ticket.has_history and row.closed_at is not None:
                ticket.resolution_seconds = metrics.elapsed_seconds(row.created_at, row.closed_at)
            values = {name: getattr(ticket, name) for name in (*_NULLABLE, *_COUNTS)}
            bind.execute(sa.update(_tickets).where(_tickets.c.id == row.id).values(**values))
