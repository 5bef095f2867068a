"""Socket.IO room names for publishers; defined once, beside the visibility rule, in `zapdesk.tickets.access`.

- `admins`: every admin socket (admins see everything: every resource event names it);
- `agents`: every agent socket (pending tickets without a queue);
- `queue:{id}`: agents of that queue; `user:{id}`: every socket of that user;
- `EVERYONE` = (`admins`, `agents`): every authenticated socket (connection states, contacts).
"""

from __future__ import annotations

from zapdesk.tickets.access import ADMINS_ROOM as ADMINS
from zapdesk.tickets.access import AGENTS_ROOM as AGENTS
from zapdesk.tickets.access import EVERYONE_ROOMS as EVERYONE
from zapdesk.tickets.access import queue_room, user_room, user_rooms

__all__ = ["ADMINS", "AGENTS", "EVERYONE", "queue_room", "user_room", "user_rooms"]
