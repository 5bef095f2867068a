"""Contacts as the inbound pipeline meets them: normalized numbers, LID and phone forms of one person, races."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import EventLog
from zapdesk.contacts.models import Contact
from zapdesk.contacts.service import find_or_create_contact
from zapdesk.context import AppContext
from zapdesk.db.uow import unit_of_work


async def count_contacts(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Contact)) or 0)


async def test_a_new_number_creates_a_contact_named_after_the_push_name(
    context: AppContext, published: EventLog, session: AsyncSession
) -> None:
    async with unit_of_work(context.sessionmaker, context.publish) as work:
        contact = await find_or_create_contact(work, phone="+55 11 98888-7777", push_name="Maria")
    assert (contact.phone, contact.name, contact.push_name) == ("5511988887777", "Maria", "Maria")
    (event,) = published.named("contact.updated")
    assert event.payload["id"] == contact.id
    assert event.rooms == ("admins", "agents")
    assert await count_contacts(session) == 1


async def test_the_same_number_in_another_format_finds_the_same_contact(
    context: AppContext, published: EventLog
) -> None:
    async with unit_of_work(context.sessionmaker, context.publish) as work:
        first = await find_or_create_contact(work, phone="5511988887777", push_name="Maria")
    async with unit_of_work(context.sessionmaker, context.publish) as work:
        again = await find_or_create_contact(work, phone="+55 (11) 98888-7777", push_name="Maria")
    assert again.id == first.id
    # Nothing changed the second time, so nothing was announced.
    assert len(published.named("contact.updated")) == 1


async def test_a_contact_first_seen_by_lid_gets_the_phone_when_it_becomes_known(
    context: AppContext, session: AsyncSession
) -> None:
    async with unit_of_work(context.sessionmaker) as work:
        # Until WhatsApp tells the number, the LID stands in for it as the contact's key.
        by_lid = await find_or_create_contact(work, phone="123456789012345@lid", lid="123456789012345@lid")
    async with unit_of_work(context.sessionmaker) as work:
        merged = await find_or_create_contact(work, phone="5511988887777", lid="123456789012345@lid", push_name="Maria")
    assert merged.id == by_lid.id
    assert (merged.phone, merged.lid, merged.name) == ("5511988887777", "123456789012345@lid", "Maria")
    assert await count_contacts(session) == 1


async def test_a_contact_first_seen_by_phone_gets_the_lid_attached(context: AppContext, session: AsyncSession) -> None:
    async with unit_of_work(context.sessionmaker) as work:
        by_phone = await find_or_create_contact(work, phone="5511988887777", name="Maria Souza")
    async with unit_of_work(context.sessionmaker) as work:
        merged = await find_or_create_contact(work, phone="5511988887777", lid="99887766@lid", push_name="Mari")
    assert merged.id == by_phone.id
    # A name someone chose is kept; only the push name follows WhatsApp.
    assert (merged.lid, merged.name, merged.push_name) == ("99887766@lid", "Maria Souza", "Mari")
    assert await count_contacts(session) == 1


async def test_when_lid_and_phone_each_have_a_contact_the_lid_moves_to_the_phone_contact(
    context: AppContext, session: AsyncSession
) -> None:
    async with unit_of_work(context.sessionmaker) as work:
        by_lid = await find_or_create_contact(work, phone="111122223333", lid="111122223333@lid")
        by_phone = await find_or_create_contact(work, phone="5511988887777")
    async with unit_of_work(context.sessionmaker) as work:
        merged = await find_or_create_contact(work, phone="5511988887777", lid="111122223333@lid")
    assert merged.id == by_phone.id
    assert merged.lid == "111122223333@lid"
    async with unit_of_work(context.sessionmaker) as work:
        later = await find_or_create_contact(work, phone="5511988887777", lid="111122223333@lid")
    assert later.id == by_phone.id
    # The test's own session reads last: on SQLite an open transaction would hold the write lock.
    assert (await session.get(Contact, by_lid.id)).lid is None  # type: ignore[union-attr]


async def test_groups_keep_their_id_instead_of_a_phone_number(context: AppContext) -> None:
    async with unit_of_work(context.sessionmaker) as work:
        group = await find_or_create_contact(work, phone="120363025246125888", is_group=True, name="Equipe")
    assert (group.phone, group.is_group, group.name) == ("120363025246125888", True, "Equipe")


async def test_concurrent_first_messages_from_one_number_create_one_contact(
    context: AppContext, session: AsyncSession
) -> None:
    async def arrive(push_name: str) -> int:
        async with unit_of_work(context.sessionmaker) as work:
            contact = await find_or_create_contact(work, phone="5511977776666", push_name=push_name)
            # Hold the transaction open a moment so the two really overlap.
            await asyncio.sleep(0.05)
            return contact.id

    first, second = await asyncio.gather(arrive("Ana"), arrive("Ana"))
    assert first == second
    assert await count_contacts(session) == 1
