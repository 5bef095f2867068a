"""Imports every model so the metadata (and Alembic) sees the whole schema."""

from zapdesk.auth.models import RefreshToken
from zapdesk.connections.models import Connection, ConnectionLease
from zapdesk.contacts.models import Contact
from zapdesk.db.base import Base
from zapdesk.db.journal import EventBatch
from zapdesk.dead_letters.models import DeadLetter
from zapdesk.messages.models import Message
from zapdesk.queues.models import Queue
from zapdesk.quick_answers.models import QuickAnswer
from zapdesk.settings.models import Setting
from zapdesk.tickets.history.models import TicketEvent
from zapdesk.tickets.models import Ticket
from zapdesk.users.models import User

__all__ = [
    "Base",
    "Connection",
    "ConnectionLease",
    "Contact",
    "DeadLetter",
    "EventBatch",
    "Message",
    "Queue",
    "QuickAnswer",
    "RefreshToken",
    "Setting",
    "Ticket",
    "TicketEvent",
    "User",
]
