"""The events of tags (see the contract, `zapdesk.events`)."""

from __future__ import annotations

from zapdesk.db.audiences import ForEveryone, Removed
from zapdesk.tags.schemas import TagRead


class TagCreated(ForEveryone[TagRead]):
    """Every signed-in user puts tags on tickets and contacts and filters by them."""

    name = "tag.created"


class TagUpdated(ForEveryone[TagRead]):
    name = "tag.updated"


class TagRemoved(ForEveryone[Removed]):
    """A tag is gone, and with it from every ticket and contact that had it."""

    name = "tag.removed"
