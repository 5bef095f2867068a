"""Socket.IO room names for the real-time server: the names are `zapdesk.db.audiences`', which rooms a user's
sockets join is the visibility rule's, `zapdesk.tickets.access`."""

from __future__ import annotations

from zapdesk.db.audiences import ADMINS_ROOM as ADMINS
from zapdesk.db.audiences import AGENTS_ROOM as AGENTS
from zapdesk.db.audiences import EVERYONE_ROOMS as EVERYONE
from zapdesk.db.audiences import queue_room, user_room
from zapdesk.tickets.access import user_rooms

__all__ = ["ADMINS", "AGENTS", "EVERYONE", "queue_room", "user_room", "user_rooms"]
