"""Rules for contacts: one normalized phone per person, LID and phone forms merged, events on change."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.contacts import repository
from zapdesk.contacts.events import ContactRemoved, ContactUpdated
from zapdesk.contacts.fields import checked_values
from zapdesk.contacts.models import Contact
from zapdesk.contacts.schemas import ContactCreate, ContactRead, ContactUpdate
from zapdesk.db.audiences import Removed
from zapdesk.db.base import utcnow
from zapdesk.db.uow import record_event
from zapdesk.engine.events import GROUP_SUFFIX
from zapdesk.errors import Conflict, Invalid, NotFound
from zapdesk.kit.conflicts import flush_or_conflict, insert_unless_duplicate, unless_duplicate
from zapdesk.kit.paging import keyset_page
from zapdesk.kit.phones import normalize_phone
from zapdesk.tags.service import get_tag

# A person's LID: WhatsApp's stand-in for a number it hides.
_LID = re.compile(r"[0-9]{5,30}@lid")
# A WhatsApp group id: digits, or the older "creator-timestamp" form.
_GROUP_ID = re.compile(r"[0-9]{5,30}(-[0-9]{5,30})?")
# A profile picture is asked for again at most this often.
AVATAR_MAX_AGE = timedelta(days=1)
# Concurrent creators can keep colliding only so often before something else is wrong.
_CREATE_ATTEMPTS = 3

ContactAbsorber = Callable[[AsyncSession, Contact, Contact], Awaitable[None]]
"""Moves what hangs on a contact (absorbed, kept) before the absorbed one is deleted."""
# Contacts know nothing of tickets (tickets build on contacts): tickets register how their conversations move.
_absorbers: list[ContactAbsorber] = []


def on_absorb(absorber: ContactAbsorber) -> ContactAbsorber:
    """Register `absorber` to run whenever two contacts turn out to be one person (a decorator)."""
    _absorbers.append(absorber)
    return absorber


def normalize_contact_key(raw: str, *, is_group: bool) -> str:
    """The unique `phone` column: a person's normalized number (`kit.phones`), their LID (`<digits>@lid`) while
    WhatsApp hides the number, or a group's id (the engines' `<id>@g.us` address or the bare id a person types)."""
    if not is_group:
        lid = raw.strip()
        return lid if _LID.fullmatch(lid) else normalize_phone(raw)
    group_id = raw.strip().removesuffix(GROUP_SUFFIX)
    if not _GROUP_ID.fullmatch(group_id):
        raise Invalid("The group id must be the digits WhatsApp gives the group.", code="invalid_group_id")
    return group_id


async def record_contact_updated(session: AsyncSession, contact: Contact) -> None:
    """Announce a contact's current state to everyone (every user may see contacts); also sent on create."""
    await session.flush()
    if "tags" in inspect(contact).unloaded:
        await session.refresh(contact, attribute_names=["tags"])
    record_event(session, ContactUpdated(ContactRead.from_model(contact)))


async def find_or_create_contact(
    session: AsyncSession,
    *,
    phone: str,
    lid: str | None = None,
    push_name: str | None = None,
    is_group: bool = False,
    name: str | None = None,
) -> Contact:
    """The one contact for this person, whether WhatsApp named them by phone, by LID, or both.

    A contact found by LID gets this phone; one found by phone gets this LID. If each form already has its
    own contact, the LID moves to the phone's contact so later messages land there. Safe when two callers
    race: the insert runs in a SAVEPOINT and a unique violation means the other one won, so we re-read.
    """
    key = normalize_contact_key(phone, is_group=is_group)
    found: list[tuple[Contact, bool]] = []

    async def merge_or_insert() -> None:
        contact, changed = await _merge_identity(session, phone=key, lid=lid, push_name=push_name)
        if contact is None:
            contact = _new_contact(key, Sighting(phone, lid=lid, push_name=push_name, is_group=is_group, name=name))
            session.add(contact)
            changed = True
        await session.flush()
        found.append((contact, changed))

    for _attempt in range(_CREATE_ATTEMPTS):
        found.clear()
        if await unless_duplicate(session, merge_or_insert):
            contact, changed = found[0]
            if changed:
                await record_contact_updated(session, contact)
            return contact
    raise Conflict("This contact is being changed by someone else; try again.", code="contact_busy")


def _new_contact(key: str, sighting: Sighting) -> Contact:
    """The contact a person's first sighting makes, under their normalized `key`."""
    contact = Contact(
        name=sighting.name or sighting.push_name or key,
        phone=key,
        lid=sighting.lid,
        push_name=sighting.push_name,
        is_group=sighting.is_group,
        custom_fields={},
        tags=[],
    )
    mark_avatar_due(contact)
    return contact


async def _merge_identity(
    session: AsyncSession, *, phone: str, lid: str | None, push_name: str | None
) -> tuple[Contact | None, bool]:
    found = await repository.contacts_by_identity(session, phone=phone, lid=lid)
    if not found:
        return None, False
    by_phone = next((contact for contact in found if contact.phone == phone), None)
    by_lid = next((contact for contact in found if lid is not None and contact.lid == lid), None)
    changed = False
    if by_phone is not None and by_lid is not None and by_phone is not by_lid:
        if _LID.fullmatch(by_lid.phone):
            # Known only by this LID until now: the same person as the number's contact, which takes it all.
            await _absorb(session, kept=by_phone, absorbed=by_lid)
        else:
            # The LID is unique: free it before giving it to the phone's contact.
            by_lid.lid = None
            await session.flush()
        by_lid = None
    contact = by_phone or by_lid
    assert contact is not None
    changes = _identity_changes(contact, phone=phone, lid=lid, push_name=push_name)
    for attribute, value in changes.items():
        setattr(contact, attribute, value)
    return contact, changed or bool(changes)


async def _absorb(session: AsyncSession, *, kept: Contact, absorbed: Contact) -> None:
    """`absorbed` was the same person as `kept`: its conversations become `kept`'s, and it goes."""
    for absorber in _absorbers:
        await absorber(session, absorbed, kept)
    absorbed_id = absorbed.id
    await session.delete(absorbed)
    await session.flush()
    record_event(session, ContactRemoved(Removed(id=absorbed_id)))


def _identity_changes(contact: Contact, *, phone: str, lid: str | None, push_name: str | None) -> dict[str, str]:
    """What `contact` must take from this sighting of the person: number, LID, push name, and the name when it
    was only a stand-in (equal to the number or to the old push name) for the person's own."""
    changes: dict[str, str] = {}
    if contact.phone != phone:
        changes["phone"] = phone
    if lid is not None and contact.lid != lid:
        changes["lid"] = lid
    if push_name and contact.push_name != push_name:
        changes["push_name"] = push_name
    name = push_name or contact.push_name or phone
    if contact.name in {contact.phone, contact.push_name} and contact.name != name:
        changes["name"] = name
    return changes


@dataclass(frozen=True, slots=True)
class Sighting:
    """A person as a message names them: the arguments of `find_or_create_contact`."""

    phone: str
    lid: str | None = None
    push_name: str | None = None
    is_group: bool = False
    name: str | None = None


async def find_or_create_contacts(session: AsyncSession, sightings: Sequence[Sighting]) -> list[Contact]:
    """`find_or_create_contact` for each sighting, in order; one query finds everyone already known as they
    are, and only new or changed people take the one-by-one path."""
    keys = [normalize_contact_key(sighting.phone, is_group=sighting.is_group) for sighting in sightings]
    known = {contact.phone: contact for contact in await repository.contacts_by_phones(session, set(keys))}
    known |= await _insert_new_people(session, keys, sightings, known)
    contacts = []
    marked = False
    for key, sighting in zip(keys, sightings, strict=True):
        contact = known.get(key)
        if contact is None or _identity_changes(contact, phone=key, lid=sighting.lid, push_name=sighting.push_name):
            contact = await find_or_create_contact(
                session,
                phone=key,
                lid=sighting.lid,
                push_name=sighting.push_name,
                is_group=sighting.is_group,
                name=sighting.name,
            )
        # Someone who writes may have a new picture: look again if the last look is a day old.
        marked = mark_avatar_due(contact) or marked
        contacts.append(contact)
    if marked:
        await session.flush()  # before anything reloads these contacts (populate_existing) and drops the mark
    return contacts


async def _insert_new_people(
    session: AsyncSession, keys: Sequence[str], sightings: Sequence[Sighting], known: dict[str, Contact]
) -> dict[str, Contact]:
    """Contacts for the numbers never seen before, inserted together (one statement). A sighting with a LID is
    left to the one-by-one path, which merges it with whoever has that LID; so is everyone when another writer
    inserted one of these numbers first (then nothing is inserted here)."""
    new: dict[str, Sighting] = {}
    for key, sighting in zip(keys, sightings, strict=True):
        if key not in known and sighting.lid is None:
            new.setdefault(key, sighting)
    contacts = [_new_contact(key, sighting) for key, sighting in new.items()]
    if not contacts or not await insert_unless_duplicate(session, *contacts):
        return {}
    for contact in contacts:
        await record_contact_updated(session, contact)
    return {contact.phone: contact for contact in contacts}


async def list_contacts(
    session: AsyncSession, *, search: str | None, limit: int, cursor: str | None, tag_id: int | None = None
) -> tuple[list[Contact], str | None]:
    query = repository.contacts_query(search=search.strip() if search else None, tag_id=tag_id)
    return await keyset_page(session, query, repository.BY_NAME, limit=limit, cursor=cursor)


async def get_contact(session: AsyncSession, contact_id: int) -> Contact:
    contact = await repository.get_contact(session, contact_id)
    if contact is None:
        raise NotFound("There is no contact with this id.", code="contact_not_found")
    return contact


async def create_contact(session: AsyncSession, data: ContactCreate) -> Contact:
    phone = normalize_phone(data.phone)
    contact = Contact(
        name=data.name or phone,
        phone=phone,
        push_name=data.push_name,
        profile_picture_url=data.profile_picture_url,
        custom_fields=await checked_values(session, data.custom_fields, {}),
        is_group=False,
        notes=data.notes,
        tags=[],
    )
    mark_avatar_due(contact)
    await _save_unique_phone(session, contact)
    await record_contact_updated(session, contact)
    return contact


async def update_contact(session: AsyncSession, contact_id: int, data: ContactUpdate) -> Contact:
    contact = await get_contact(session, contact_id)
    changes = data.changes()
    if data.phone is not None:
        contact.phone = normalize_contact_key(data.phone, is_group=contact.is_group)
    for name in ("name", "push_name", "profile_picture_url", "notes"):
        if name in changes:
            setattr(contact, name, changes[name])
    if data.custom_fields is not None:
        contact.custom_fields = await checked_values(session, data.custom_fields, contact.custom_fields)
    await _save_unique_phone(session, contact)
    await record_contact_updated(session, contact)
    return contact


def mark_avatar_due(contact: Contact, *, now: datetime | None = None) -> bool:
    """Ask for the contact's profile picture when it was never fetched or is a day old (at most daily); a worker
    with a session on one of the contact's connections fetches it (`outbox.avatars`)."""
    now = now or utcnow()
    stale = contact.avatar_checked_at is None or contact.avatar_checked_at < now - AVATAR_MAX_AGE
    if stale and contact.avatar_due_at is None:
        contact.avatar_due_at = now
        return True
    return False


async def tag_contact(session: AsyncSession, contact_id: int, tag_id: int, *, tagged: bool) -> Contact:
    """Put a tag on a contact (`tagged`), or take it off; everyone is told (everyone sees contacts)."""
    contact = await repository.get_contact(session, contact_id, lock=True)
    if contact is None:
        raise NotFound("There is no contact with this id.", code="contact_not_found")
    tag = await get_tag(session, tag_id)  # a path id: unknown is 404
    others = [item for item in contact.tags if item.id != tag.id]
    if tagged == (len(others) < len(contact.tags)):
        return contact
    contact.tags = [*others, tag] if tagged else others
    await record_contact_updated(session, contact)
    return contact


async def delete_contact(session: AsyncSession, contact_id: int) -> None:
    """Delete a contact with its tickets and messages (the database cascades); clients drop them from their lists.

    `ticket.removed` for each of its tickets comes from `zapdesk.tickets.service`, which watches contact deletions:
    tickets build on contacts, not the other way round.
    """
    contact = await get_contact(session, contact_id)
    await session.delete(contact)
    await session.flush()
    record_event(session, ContactRemoved(Removed(id=contact_id)))


async def _save_unique_phone(session: AsyncSession, contact: Contact) -> None:
    """Flush `contact`; a phone another contact already has is a 409, whoever wrote it first."""
    if await repository.phone_taken(session, contact.phone, other_than=contact.id):
        raise _duplicate_phone()
    await flush_or_conflict(session, _duplicate_phone(), adding=contact)


def _duplicate_phone() -> Conflict:
    return Conflict("Another contact already has this phone number.", code="duplicate_phone")
