"""Reading what happened from the event log and reacting to it, once: the worker's automation calls
`react_once` in a transaction of its own, again and again while there is something new.

Events are read after the position of the `automation` reader (`zapdesk.db.cursors`), acted on, and the new
position is stored in the same transaction: a crash loses both, a commit keeps both. Most events need no action
(a message in a ticket an agent holds); those are told apart from what automation remembers of each ticket
(`TicketAutomation`), without reading or locking the ticket. A ticket is locked only to act on it.

Ingest changes the same ticket rows (its preview, unread count) and waits for automation's locks, so they are
held as briefly as the work allows: before acting, one pass over the transaction's events finds the tickets that
will likely need an answer, and one query locks them all, in id order. A ticket that turns out to need one
after all (its state changed within the batch) is locked on its own when it does.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.automation import reactions
from zapdesk.automation.messages import is_automatic
from zapdesk.automation.models import TicketAutomation
from zapdesk.automation.out_of_hours import closed_text, queue_of, said_recently
from zapdesk.automation.scene import Scene, Stage
from zapdesk.automation.timers import TimerPlan
from zapdesk.connections.automation import ConnectionAutomation
from zapdesk.connections.models import Connection
from zapdesk.contacts.models import Contact
from zapdesk.db import cursors, journal
from zapdesk.db.events import Published
from zapdesk.events import MessageCreated, TicketCreated, TicketEventRecorded, TicketUpdated
from zapdesk.messages.schemas import MessageRead
from zapdesk.tickets import repository as tickets
from zapdesk.tickets.history.schemas import TicketEventRead
from zapdesk.tickets.models import Ticket, TicketStatus
from zapdesk.tickets.ratings import parse_rating
from zapdesk.tickets.schemas import TicketRead

log = logging.getLogger(__name__)

READER = "automation"
# Events read per transaction: enough to keep up with a burst of ingest, few enough to keep locks short; read up
# to the end of the logged batch that holds the last of them, as each batch is parsed whole.
EVENTS_PER_TRANSACTION = 100


async def react_once(
    session: AsyncSession, *, now: datetime, limit: int = EVENTS_PER_TRANSACTION, whole_batches: bool = True
) -> int:
    """React to the next events of the log (at least `limit` when there are, and with `whole_batches` the rest of
    the batch holding the last: a batch of 1,000 read 100 at a time was parsed ten times); how many positions it
    went forward (0: nothing new, or another worker is reading right now)."""
    cursor = await cursors.take(session, READER)
    if cursor is None:
        return 0
    start = cursor.position
    if whole_batches:
        upto = await journal.batch_end(session, start + limit)
    else:
        upto = min(await journal.latest_position(session), start + limit)
    if upto <= start:
        return 0
    await Reaction(session, now).run(await journal.read(session, after=start, upto=upto))
    cursor.position = upto
    return upto - start


_REACTED_TO = (TicketCreated, TicketUpdated, MessageCreated, TicketEventRecorded)


def _ticket_of(event: TicketCreated | TicketUpdated | MessageCreated | TicketEventRecorded) -> int:
    payload = event.payload
    return payload.id if isinstance(payload, TicketRead) else payload.ticket_id


@dataclass(frozen=True, slots=True)
class _Facts:
    """What does not change about a ticket: where it is, and whether it is a group's."""

    connection_id: int
    is_group: bool


class Reaction:
    """The events of one transaction, acted on in order."""

    def __init__(self, session: AsyncSession, now: datetime) -> None:
        self.session = session
        self.now = now
        self.plan = TimerPlan()
        self._stage = Stage(session, now)
        self._memories: dict[int, TicketAutomation] = {}
        self._facts: dict[int, _Facts] = {}
        self._locked: dict[int, Ticket] = {}

    async def run(self, events: Sequence[Published]) -> None:
        relevant = [item.event for item in events if isinstance(item.event, _REACTED_TO)]
        await self._recall({_ticket_of(event) for event in relevant})
        likely = [ticket_id for event in relevant if (ticket_id := await self._likely_to_act(event)) is not None]
        if likely:
            self._locked = await tickets.lock_tickets(self.session, likely)
        for event in relevant:
            if isinstance(event, TicketCreated):
                self._ticket_created(event.payload)
            elif isinstance(event, TicketUpdated):
                self._ticket_updated(event.payload)
            elif isinstance(event, MessageCreated):
                await self._message_created(event.payload)
            elif isinstance(event, TicketEventRecorded):
                await self._history_line(event.payload)
        await self._stage.finish()
        await self.plan.write(self.session)

    async def _recall(self, ticket_ids: set[int]) -> None:
        """What automation remembers of these tickets, and what does not change about them: two queries."""
        if not ticket_ids:
            return
        memories = await self.session.execute(
            select(TicketAutomation).where(TicketAutomation.ticket_id.in_(ticket_ids))
        )
        self._memories = {memory.ticket_id: memory for memory in memories.scalars()}
        facts = await self.session.execute(
            select(Ticket.id, Ticket.connection_id, Contact.is_group)
            .join(Contact, Contact.id == Ticket.contact_id)
            .where(Ticket.id.in_(ticket_ids))
        )
        self._facts = {ticket_id: _Facts(connection_id, is_group) for ticket_id, connection_id, is_group in facts}

    async def _likely_to_act(
        self, event: TicketCreated | TicketUpdated | MessageCreated | TicketEventRecorded
    ) -> int | None:
        """The ticket of `event` if acting on it will likely need the ticket itself (judged from what automation
        remembers before the batch, so it may miss or overshoot: a miss is locked on its own, later)."""
        if isinstance(event, TicketCreated):
            return event.payload.id  # its first message from a customer is answered
        if isinstance(event, TicketUpdated):
            return event.payload.id if event.payload.choosing_queue else None
        if isinstance(event, TicketEventRecorded):
            return event.payload.ticket_id if reactions.concerns_automation(event.payload) else None
        message = event.payload
        facts = self._facts.get(message.ticket_id)
        memory = self._memories.get(message.ticket_id)
        if facts is None or facts.is_group or message.from_me or memory is None:
            return None
        connection = await self._stage.connection(facts.connection_id)
        if connection is None or not await self._needs_a_word(memory, connection, message.body):
            return None
        return message.ticket_id

    # --- events ------------------------------------------------------------------------------------------------

    def _ticket_created(self, ticket: TicketRead) -> None:
        if ticket.id not in self._memories:
            self._remember(ticket, fresh=True)

    def _ticket_updated(self, ticket: TicketRead) -> None:
        memory = self._memories.get(ticket.id)
        if memory is None:
            self._remember(ticket, fresh=False)
            return
        memory.seen_status, memory.seen_queue_id, memory.seen_assignee_id = (
            ticket.status,
            ticket.queue_id,
            ticket.assignee_id,
        )
        memory.seen_choosing = ticket.choosing_queue

    async def _history_line(self, line: TicketEventRead) -> None:
        if not reactions.concerns_automation(line):
            return
        scene = await self._scene(line.ticket_id)
        if scene is not None and not scene.is_group:
            await reactions.history_line(scene, self.plan, line)

    async def _message_created(self, message: MessageRead) -> None:
        facts = self._facts.get(message.ticket_id)
        if facts is None or facts.is_group or (message.from_me and is_automatic(message.extra)):
            return  # gone, a group (never automated), or automation's own words
        memory = self._memories.get(message.ticket_id)
        connection = await self._stage.connection(facts.connection_id)
        if memory is None or connection is None:
            return  # a ticket from before automation ran (its next change starts its memory)
        spoke = reactions.Spoke(message.ticket_id, message.id, memory.seen_status, connection[1].timers, self.now)
        if message.from_me:
            memory.fresh = False
            reactions.agent_wrote(self.plan, spoke)
            return
        if await self._needs_a_word(memory, connection, message.body):
            scene = await self._scene(message.ticket_id)
            if scene is not None:
                await self._answer(scene, message)
        reactions.customer_wrote(self.plan, spoke)

    async def _needs_a_word(
        self, memory: TicketAutomation, connection: tuple[Connection, ConnectionAutomation], text: str
    ) -> bool:
        """Whether a customer's message may call for an answer; most do not, and cost no query."""
        if memory.fresh or memory.seen_choosing:
            return True
        if memory.seen_status == TicketStatus.CLOSED:
            return parse_rating(text) is not None
        if memory.seen_status != TicketStatus.PENDING or said_recently(memory, connection[1], self.now):
            return False
        queue = queue_of(connection[0].queues, memory.seen_queue_id)
        return closed_text(connection[1], queue, self.now, await self._stage.zone()) is not None

    async def _answer(self, scene: Scene, message: MessageRead) -> None:
        if scene.memory.fresh:
            scene.memory.fresh = False
            await reactions.first_message(scene, self.plan)
        else:
            sent_at = message.sent_at or message.created_at
            await reactions.customer_message(scene, self.plan, message.body, message.id, sent_at)

    # --- helpers -----------------------------------------------------------------------------------------------

    def _remember(self, ticket: TicketRead, *, fresh: bool) -> TicketAutomation:
        memory = TicketAutomation(
            ticket_id=ticket.id,
            fresh=fresh,
            seen_status=ticket.status,
            seen_queue_id=ticket.queue_id,
            seen_assignee_id=ticket.assignee_id,
            seen_choosing=ticket.choosing_queue,
            menu_tries=0,
        )
        self.session.add(memory)
        self._memories[ticket.id] = memory
        return memory

    async def _scene(self, ticket_id: int) -> Scene | None:
        memory = self._memories.get(ticket_id)
        locked = self._locked.get(ticket_id)
        if locked is not None:
            return await self._stage.scene(locked, memory)
        return await self._stage.load_scene(ticket_id, memory)
