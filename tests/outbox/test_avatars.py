"""Profile pictures: a contact who writes is due for one; the connection's worker fetches it through its engine,
at most daily, and the API serves it."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import update

from tests.conftest import EventLog
from tests.ingest.inbound import deliver, received
from tests.media.samples import PNG
from tests.outbox.fake_engine import FakeEngine
from tests.tickets.factories import Desk, make_contact, make_ticket
from zapdesk.contacts.models import Contact
from zapdesk.context import AppContext
from zapdesk.db.base import utcnow
from zapdesk.engine.base import EngineError
from zapdesk.media.store import MediaStore
from zapdesk.outbox.avatars import refresh_due_avatars

CUSTOMER = "5511988887777"


async def refresh(context: AppContext, desk: Desk, engine: FakeEngine, media_store: MediaStore) -> int:
    return await refresh_due_avatars(
        engine, context.sessionmaker, context.publish, media_store, connection_id=desk.connection.id, engine_timeout=5
    )


async def contact_row(context: AppContext, contact_id: int) -> Contact:
    async with context.sessionmaker() as session:
        contact = await session.get(Contact, contact_id)
        assert contact is not None
        return contact


async def test_a_customer_who_writes_gets_their_picture_fetched_and_served(
    client: httpx.AsyncClient,
    context: AppContext,
    desk: Desk,
    media_store: MediaStore,
    published: EventLog,
) -> None:
    await deliver(context, desk.connection.id, received(CUSTOMER, "Oi"), media_store)
    engine = FakeEngine(pictures={CUSTOMER: PNG})

    assert await refresh(context, desk, engine, media_store) == 1
    [updated] = [e for e in published.named("contact.updated") if e.payload["profile_picture_url"]]
    url = updated.payload["profile_picture_url"]
    assert url.startswith(f"/api/contacts/{updated.payload['id']}/avatar?v=")
    served = await client.get(url, headers=desk.headers("agent_not_in_queue"))
    assert (served.status_code, served.content) == (200, PNG)
    # Done for today: nothing is due until a day has passed.
    assert await refresh(context, desk, engine, media_store) == 0


async def test_a_picture_is_asked_for_again_only_after_a_day(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    await deliver(context, desk.connection.id, received(CUSTOMER, "Oi"), media_store)
    engine = FakeEngine(pictures={CUSTOMER: PNG})
    await refresh(context, desk, engine, media_store)
    await deliver(context, desk.connection.id, received(CUSTOMER, "Oi de novo"), media_store)
    assert await refresh(context, desk, engine, media_store) == 0
    async with context.sessionmaker() as session:
        yesterday = utcnow() - timedelta(days=1, minutes=1)
        await session.execute(update(Contact).values(avatar_checked_at=yesterday))
        await session.commit()
    await deliver(context, desk.connection.id, received(CUSTOMER, "E agora?"), media_store)
    assert await refresh(context, desk, engine, media_store) == 1


async def test_a_person_without_a_picture_keeps_their_initials_and_an_engine_error_tries_later(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    contact = await make_contact(context, phone=CUSTOMER)
    await make_ticket(context, connection=desk.connection, contact=contact)
    async with context.sessionmaker() as session:
        await session.execute(update(Contact).values(avatar_due_at=utcnow()))
        await session.commit()

    class Failing(FakeEngine):
        async def profile_picture(self, chat: object) -> bytes | None:  # type: ignore[override]
            raise EngineError("busy")

    await refresh(context, desk, Failing(), media_store)
    postponed = await contact_row(context, contact.id)
    assert postponed.avatar_due_at is not None and postponed.avatar_due_at > utcnow() + timedelta(minutes=30)

    async with context.sessionmaker() as session:
        await session.execute(update(Contact).values(avatar_due_at=utcnow()))
        await session.commit()
    await refresh(context, desk, FakeEngine(), media_store)
    checked = await contact_row(context, contact.id)
    assert (checked.profile_picture_url, checked.avatar_due_at) == (None, None)
    assert checked.avatar_checked_at is not None


async def test_only_contacts_with_a_ticket_on_the_connection_are_fetched_by_its_worker(
    context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    await make_contact(context, phone=CUSTOMER)
    async with context.sessionmaker() as session:
        await session.execute(update(Contact).values(avatar_due_at=utcnow()))
        await session.commit()
    assert await refresh(context, desk, FakeEngine(pictures={CUSTOMER: PNG}), media_store) == 0
