"""The events of contacts (see the contract, `zapdesk.events`)."""

from __future__ import annotations

from zapdesk.contacts.schemas import ContactRead
from zapdesk.db.audiences import ForEveryone, Removed


class ContactUpdated(ForEveryone[ContactRead]):
    """A contact was created or changed (every signed-in user may see contacts)."""

    name = "contact.updated"


class ContactRemoved(ForEveryone[Removed]):
    """A contact was deleted, and its tickets with it (each announced by `ticket.removed`)."""

    name = "contact.removed"
