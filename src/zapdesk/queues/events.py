"""The events of queues (see the contract, `zapdesk.events`)."""

from __future__ import annotations

from zapdesk.db.audiences import ForEveryone, Removed
from zapdesk.queues.schemas import QueueRead


class QueueCreated(ForEveryone[QueueRead]):
    """Every signed-in user lists queues (filters, the transfer dialog)."""

    name = "queue.created"


class QueueUpdated(ForEveryone[QueueRead]):
    name = "queue.updated"


class QueueRemoved(ForEveryone[Removed]):
    """A queue is gone; the real-time server also empties its room (a new queue may get its id)."""

    name = "queue.removed"
