"""when the menu was shown

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 13:40:00.000000

The menu bot remembers when it last wrote the menu to a ticket, so that what the customer sent before it (a
backlog written while the business phone was offline) is not taken for answers. Tickets choosing a queue today
have no such moment: every message of theirs is read as an answer, as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zapdesk.db.base

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('ticket_automation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('menu_shown_at', zapdesk.db.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ticket_automation', schema=None) as batch_op:
        batch_op.drop_column('menu_shown_at')
