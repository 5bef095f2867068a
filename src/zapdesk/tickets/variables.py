"""The variables a template may use, and their values for one ticket at one instant.

Every variable zapdesk knows has a value, possibly empty (no agent yet): only names it does not know stay
visible in the sent text. Times are the workspace's time zone (the `timezone` setting), since the customer
reads "Bom dia" and "14:05" as local time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.contacts.models import Contact
from zapdesk.queues.models import Queue
from zapdesk.settings.service import TIMEZONE, get_setting
from zapdesk.tickets.models import Ticket
from zapdesk.users.models import User

# Each variable with what it stands for (the forms list them; a test keeps this in step with `variables`).
VARIABLES: dict[str, str] = {
    "name": "The contact's name (or the name they chose on WhatsApp).",
    "first_name": "The first word of the contact's name.",
    "agent": "The name of the agent the ticket is assigned to.",
    "queue": "The name of the ticket's queue.",
    "protocol": 'The ticket\'s protocol number ("2026-000123").',
    "greeting": '"Bom dia", "Boa tarde" or "Boa noite", by the time of day.',
    "date": "Today's date (dd/mm/yyyy).",
    "time": "The time now (hh:mm).",
}


@dataclass(frozen=True, slots=True)
class Subject:
    """Who and what a message is about."""

    contact: Contact | None = None
    agent: User | None = None
    queue: Queue | None = None
    protocol: str = ""


def contact_name(contact: Contact) -> str:
    """The name an agent gave the contact, else the one they chose on WhatsApp (a bare number is no name)."""
    if contact.name and contact.name != contact.phone:
        return contact.name
    return contact.push_name or ""


def greeting_for(local: datetime) -> str:
    if 5 <= local.hour < 12:
        return "Bom dia"
    if 12 <= local.hour < 18:
        return "Boa tarde"
    return "Boa noite"


def variables(subject: Subject, *, now: datetime, zone: ZoneInfo) -> dict[str, str]:
    name = contact_name(subject.contact) if subject.contact is not None else ""
    local = now.astimezone(zone)
    return {
        "name": name,
        "first_name": name.split()[0] if name.split() else "",
        "agent": subject.agent.name if subject.agent is not None else "",
        "queue": subject.queue.name if subject.queue is not None else "",
        "protocol": subject.protocol,
        "greeting": greeting_for(local),
        "date": local.strftime("%d/%m/%Y"),
        "time": local.strftime("%H:%M"),
    }


def protocol_of(ticket: Ticket) -> str:
    return ticket.protocol


async def workspace_zone(session: AsyncSession) -> ZoneInfo:
    return ZoneInfo(await get_setting(session, TIMEZONE))


async def ticket_subject(session: AsyncSession, ticket: Ticket) -> Subject:
    """The contact, assignee and queue of `ticket`, read now (an accept or transfer just changed them)."""
    contact = await session.get(Contact, ticket.contact_id)
    agent = await session.get(User, ticket.assignee_id) if ticket.assignee_id is not None else None
    queue = await session.get(Queue, ticket.queue_id) if ticket.queue_id is not None else None
    return Subject(contact=contact, agent=agent, queue=queue, protocol=protocol_of(ticket))


async def ticket_variables(
    session: AsyncSession, ticket: Ticket, *, now: datetime, zone: ZoneInfo | None = None
) -> dict[str, str]:
    """The values for `ticket` at `now`; `zone`, when the caller read the time zone setting already."""
    return variables(await ticket_subject(session, ticket), now=now, zone=zone or await workspace_zone(session))
