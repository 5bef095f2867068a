"""What the simulator engine really emits, fed through the real inbound pipeline: a live simulator network, a linked
`SimulatorEngine`, and its events handed to `ingest_events` exactly as the worker does."""

from __future__ import annotations

import base64
from typing import TypeVar

from sqlalchemy import select

from tests.conftest import EventLog
from tests.ingest.downloads import media_settles, message_by_external_id, running_downloader
from tests.ingest.inbound import deliver_together
from tests.media.samples import PNG
from tests.simulator.harness import WAIT, Engines, LiveSimulator, engines, simulator, simulator_config
from tests.tickets.factories import Desk
from zapdesk.contacts.models import Contact
from zapdesk.context import AppContext
from zapdesk.db.uow import unit_of_work
from zapdesk.engine.events import EngineState, MessageReceived
from zapdesk.media.store import MediaStore
from zapdesk.messages.models import MediaState, Message, MessageType
from zapdesk.settings.service import IGNORE_GROUP_MESSAGES, set_setting
from zapdesk.tickets.models import Ticket

__all__ = ["engines", "simulator", "simulator_config"]

BUSINESS = "5511900000016"
ANA = "5511911110016"
BRUNO = "5511922220016"
GROUP = "120363041234560016"

PNG_B64 = base64.b64encode(PNG).decode()
RowT = TypeVar("RowT", Contact, Ticket, Message)


async def _rows(context: AppContext, model: type[RowT]) -> list[RowT]:
    async with context.sessionmaker() as session:
        return list((await session.execute(select(model).order_by(model.id))).scalars())  # type: ignore[attr-defined]


async def test_a_customer_writing_in_a_group_through_the_simulator_gets_one_group_ticket_with_the_members_names(
    context: AppContext, desk: Desk, simulator: LiveSimulator, engines: Engines, media_store: MediaStore
) -> None:
    _engine, recorder, _session = await engines.linked(BUSINESS)
    group = {"id": GROUP, "name": "Condomínio"}
    await simulator.write(ANA, BUSINESS, "bom dia, grupo", name="Ana", group=group)
    await simulator.write(BRUNO, BUSINESS, "o portão quebrou", name="Bruno", group=group, as_lid=True)
    messages = await recorder.wait_for_count(MessageReceived, 2)

    await deliver_together(context, desk.connection.id, list(messages), media_store)

    contacts = await _rows(context, Contact)
    assert [(c.phone, c.is_group, c.name) for c in contacts] == [(GROUP, True, "Condomínio")]
    [ticket] = await _rows(context, Ticket)
    assert ticket.unread_count == 2
    stored = await _rows(context, Message)
    assert [(m.body, m.sender_name, m.extra.get("sender_phone")) for m in stored] == [
        ("bom dia, grupo", "Ana", ANA),
        ("o portão quebrou", "Bruno", BRUNO),
    ]


async def test_group_messages_from_the_simulator_are_left_out_when_the_setting_says_so(
    context: AppContext, desk: Desk, simulator: LiveSimulator, engines: Engines, media_store: MediaStore
) -> None:
    async with unit_of_work(context.sessionmaker) as session:
        await set_setting(session, IGNORE_GROUP_MESSAGES.name, True)
    _engine, recorder, _session = await engines.linked(BUSINESS)
    await simulator.write(ANA, BUSINESS, "no grupo", name="Ana", group={"id": GROUP, "name": "Condomínio"})
    await simulator.write(ANA, BUSINESS, "no privado", name="Ana")
    messages = await recorder.wait_for_count(MessageReceived, 2)

    await deliver_together(context, desk.connection.id, list(messages), media_store)

    assert [m.body for m in await _rows(context, Message)] == ["no privado"]


async def test_a_photo_is_stored_at_once_with_its_file_pending_and_the_file_follows(
    context: AppContext,
    desk: Desk,
    simulator: LiveSimulator,
    engines: Engines,
    media_store: MediaStore,
    published: EventLog,
) -> None:
    # WhatsApp's media servers are slow today: a message that waited for its file would not arrive in time.
    simulator.config = simulator.config.model_copy(update={"media_delay_seconds": 3 * WAIT})
    await simulator.restart()
    engine, recorder, _session = await engines.linked(BUSINESS)
    photo_id = await simulator.write(
        ANA, BUSINESS, "meu pedido", name="Ana", media={"kind": "image", "mime": "image/png", "data_base64": PNG_B64}
    )
    [message] = await recorder.wait_for_count(MessageReceived, 1)

    await deliver_together(context, desk.connection.id, [message], media_store)

    stored = await message_by_external_id(context, photo_id)
    assert (stored.type, stored.body, stored.media_state, stored.media_path) == (
        MessageType.IMAGE,
        "meu pedido",
        MediaState.PENDING,
        None,
    )
    [created] = published.named("message.created")
    assert (created.payload["media_state"], created.payload["media_url"]) == ("pending", None)

    # The media servers answer again: the worker's downloader brings the file, and says so.
    simulator.config = simulator.config.model_copy(update={"media_delay_seconds": 0.0})
    await simulator.restart()
    await recorder.wait_until(lambda: recorder.states().count(EngineState.CONNECTED) == 2)  # linked again
    async with running_downloader(context, desk.connection.id, engine, media_store):
        ready = await media_settles(context, photo_id)

    assert ready.media_state == MediaState.READY and ready.media_path is not None
    assert (ready.media_mime, ready.media_size) == ("image/png", len(PNG))
    assert await media_store.read(ready.media_path) == PNG
    [updated] = [e for e in published.named("message.updated") if e.payload["media_state"] == "ready"]
    assert updated.payload["media_url"].startswith(f"/api/messages/{ready.id}/media?v=")
