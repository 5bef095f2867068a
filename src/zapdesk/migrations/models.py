"""Imports every model so the metadata (and Alembic) sees the whole schema."""

from zapdesk.auth.models import ApiToken, RefreshToken
from zapdesk.automation.models import TicketAutomation, Timer
from zapdesk.cloud.models import CloudAccount, CloudTemplate
from zapdesk.connections.models import Connection, ConnectionLease
from zapdesk.contacts.models import Contact, ContactField
from zapdesk.db.base import Base
from zapdesk.db.cursors import EventCursor
from zapdesk.db.journal import EventBatch
from zapdesk.dead_letters.models import DeadLetter
from zapdesk.ingest.models import InboxEntry
from zapdesk.messages.models import Message, MessageAction, MessageRevision
from zapdesk.notifications.models import Notification
from zapdesk.queues.models import Queue
from zapdesk.quick_answers.models import QuickAnswer
from zapdesk.scheduled.models import ScheduledMessage
from zapdesk.settings.models import Setting
from zapdesk.tags.models import Tag
from zapdesk.tickets.history.models import TicketEvent
from zapdesk.tickets.models import Ticket
from zapdesk.users.models import User
from zapdesk.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "ApiToken",
    "Base",
    "CloudAccount",
    "CloudTemplate",
    "Connection",
    "ConnectionLease",
    "Contact",
    "ContactField",
    "DeadLetter",
    "EventBatch",
    "EventCursor",
    "InboxEntry",
    "Message",
    "MessageAction",
    "MessageRevision",
    "Notification",
    "Queue",
    "QuickAnswer",
    "RefreshToken",
    "ScheduledMessage",
    "Setting",
    "Tag",
    "Ticket",
    "TicketAutomation",
    "TicketEvent",
    "Timer",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
