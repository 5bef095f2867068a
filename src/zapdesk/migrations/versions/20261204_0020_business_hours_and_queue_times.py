"""business hours metrics and time in each queue

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 09:00:00.000000

The business-hours variants of waiting, first response and resolution time (`zapdesk.tickets.metrics`), and
the time each ticket spent in each queue (`ticket_queue_times`). Existing tickets are backfilled by folding the
same functions that fix the figures live over their stored history and messages, in batches so memory stays
flat, with each connection's business hours as they are now (the past's are not kept).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import zapdesk.db.base
from zapdesk.migrations.batches import rows_by_id
from zapdesk.connections.automation import ConnectionAutomation
from zapdesk.hours.calendar import NO_HOURS, ConnectionHours
from zapdesk.settings.service import TIMEZONE
from zapdesk.tickets import metrics
from zapdesk.tickets.history.models import TicketEventKind
from zapdesk.tickets.hours import connection_hours

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = zapdesk.db.base.UTCDateTime(timezone=True)
_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_BATCH = 1000
BUSINESS = ('business_waiting_seconds', 'business_first_response_seconds', 'business_resolution_seconds')
FILLED = (*BUSINESS, 'queue_since')


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        for name in BUSINESS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('queue_since', _UTC, nullable=True))
    op.create_table(
        'ticket_queue_times',
        sa.Column('ticket_id', _ID, nullable=False),
        sa.Column('queue_id', _ID, nullable=False),
        sa.Column('seconds', sa.Integer(), nullable=False),
        sa.Column('business_seconds', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['queue_id'], ['queues.id'], name=op.f('fk_ticket_queue_times_queue_id_queues'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_queue_times_ticket_id_tickets'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('ticket_id', 'queue_id', name=op.f('pk_ticket_queue_times')),
    )
    with op.batch_alter_table('ticket_queue_times', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_queue_times_queue_id'), ['queue_id'], unique=False)
    backfill(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table('ticket_queue_times', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_queue_times_queue_id'))
    op.drop_table('ticket_queue_times')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        for name in FILLED:
            batch_op.drop_column(name)


# --- backfill --------------------------------------------------------------------------------------------

_tickets = sa.table('tickets', sa.column('id', sa.Integer), sa.column('created_at', _UTC),
                    sa.column('connection_id', sa.Integer), *(sa.column(name) for name in FILLED))
_events = sa.table('ticket_events', sa.column('id', sa.Integer), sa.column('ticket_id', sa.Integer),
                   sa.column('kind', sa.String), sa.column('at', _UTC), sa.column('to_user_id', sa.Integer),
                   sa.column('from_queue_id', sa.Integer), sa.column('to_queue_id', sa.Integer))
_messages = sa.table('messages', sa.column('id', sa.Integer), sa.column('ticket_id', sa.Integer),
                     sa.column('from_me', sa.Boolean), sa.column('type', sa.String), sa.column('extra', sa.JSON),
                     sa.column('sent_at', _UTC), sa.column('created_at', _UTC))
_queue_times = sa.table('ticket_queue_times', sa.column('ticket_id', sa.Integer), sa.column('queue_id', sa.Integer),
                        sa.column('seconds', sa.Integer), sa.column('business_seconds', sa.Integer))
_connections = sa.table('connections', sa.column('id', sa.Integer), sa.column('automation', sa.JSON))
_queues = sa.table('queues', sa.column('id', sa.Integer), sa.column('hours', sa.JSON))
_settings = sa.table('settings', sa.column('key', sa.String), sa.column('value', sa.JSON))


# The plain figures are folded again (the business ones follow them), but only `FILLED` is written back.
_FOLDED = ('waiting_since', 'waiting_seconds', 'first_customer_message_at', 'first_response_seconds',
           'resolution_seconds', *FILLED)


def _stand_in(created_at: datetime) -> SimpleNamespace:
    """A ticket's metric columns while its past is folded (`metrics.TimedColumns`), in the queue it is in."""
    return SimpleNamespace(created_at=created_at, queue_id=None, transfer_count=0, reopen_count=0, message_count=0,
                           **dict.fromkeys(_FOLDED))


@dataclass(frozen=True, slots=True)
class _Event:
    kind: str
    at: datetime
    to_user_id: int | None
    from_queue_id: int | None
    to_queue_id: int | None

    def queue_after(self, before: int | None) -> int | None:
        """The queue a ticket is in after this line (the services write it after the change)."""
        moved = self.from_queue_id is not None or self.to_queue_id is not None
        if self.kind in (TicketEventKind.CREATED, TicketEventKind.QUEUE_CHOSEN) or moved:
            return self.to_queue_id
        return before


@dataclass(frozen=True, slots=True)
class _Message:
    from_me: bool
    type: str
    extra: dict[str, Any]


def _hours(bind: sa.Connection) -> dict[int, ConnectionHours]:
    """Each connection's business hours as they are now."""
    stored = bind.execute(sa.select(_settings.c.value).where(_settings.c.key == TIMEZONE.name)).first()
    zone = ZoneInfo(TIMEZONE.current(stored))
    queue_hours = {row.id: row.hours for row in bind.execute(sa.select(_queues)) if row.hours}
    return {
        row.id: connection_hours(ConnectionAutomation.model_validate(row.automation or {}).hours, queue_hours, zone)
        for row in bind.execute(sa.select(_connections))
    }


def backfill(bind: sa.Connection) -> None:
    hours = _hours(bind)
    for rows in rows_by_id(bind, _tickets, 'created_at', 'connection_id', size=_BATCH):
        ids = [row.id for row in rows]
        folded = {row.id: _stand_in(row.created_at) for row in rows}
        calendars = {row.id: hours.get(row.connection_id, NO_HOURS) for row in rows}
        # (time, 0 for history / 1 for messages, id): as migration 0017 orders them.
        facts: list[tuple[datetime, int, int, int, _Event | tuple[_Message, datetime]]] = []
        for event in bind.execute(sa.select(_events).where(_events.c.ticket_id.in_(ids))):
            facts.append((event.at, 0, event.id, event.ticket_id, _Event(
                event.kind, event.at, event.to_user_id, event.from_queue_id, event.to_queue_id)))
        for message in bind.execute(sa.select(_messages).where(_messages.c.ticket_id.in_(ids))):
            moment = message.sent_at or message.created_at
            facts.append((moment, 1, message.id, message.ticket_id,
                          (_Message(message.from_me, message.type, message.extra or {}), moment)))
        queue_times: dict[tuple[int, int], list[int]] = {}
        for _, _, _, ticket_id, fact in sorted(facts, key=lambda item: item[:3]):
            ticket = folded[ticket_id]
            if isinstance(fact, _Event):
                ticket.queue_id = fact.queue_after(ticket.queue_id)
                stint = metrics.fix_event(ticket, fact, calendars[ticket_id])
                if stint is not None:
                    total = queue_times.setdefault((ticket_id, stint.queue_id), [0, 0])
                    total[0] += stint.seconds
                    total[1] += stint.business_seconds
            else:
                metrics.fix_message(ticket, fact[0], fact[1], calendars[ticket_id])
        for row in rows:
            ticket = folded[row.id]
            values = {name: getattr(ticket, name) for name in FILLED}
            bind.execute(sa.update(_tickets).where(_tickets.c.id == row.id).values(**values))
        if queue_times:
            bind.execute(sa.insert(_queue_times), [
                {'ticket_id': ticket_id, 'queue_id': queue_id, 'seconds': seconds, 'business_seconds': business}
                for (ticket_id, queue_id), (seconds, business) in queue_times.items()
            ])
