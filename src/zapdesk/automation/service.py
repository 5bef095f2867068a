"""What the automation forms show before anything is saved: the menu as the customer will read it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.automation.bot import menu_text
from zapdesk.automation.schemas import MenuPreviewRequest
from zapdesk.contacts.models import Contact
from zapdesk.db.base import utcnow
from zapdesk.queues.models import Queue
from zapdesk.templates.engine import render
from zapdesk.tickets.variables import Subject, variables, workspace_zone

# Who the preview is written to.
EXAMPLE_CUSTOMER = Contact(name="Maria Silva", phone="5511988887777", push_name="Maria Silva")


async def menu_preview(session: AsyncSession, request: MenuPreviewRequest) -> str:
    query = select(Queue).where(Queue.id.in_(request.queue_ids)).order_by(Queue.order, Queue.name)
    queues = list((await session.execute(query)).scalars())
    subject = Subject(contact=EXAMPLE_CUSTOMER, protocol="1024")
    values = variables(subject, now=utcnow(), zone=await workspace_zone(session))
    return render(menu_text(request.greeting_message, queues), values)
