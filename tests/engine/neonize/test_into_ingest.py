"""Hand-built neonize events, shaped as goneonize encodes them, through the adapter and then the real inbound
pipeline: what a day on real WhatsApp would store."""

from __future__ import annotations

from typing import TypeVar

from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message as WaMessage
from sqlalchemy import select

from tests.engine.neonize.fakes import FakeClient, Recorder
from tests.engine.neonize.protos import CUSTOMER, CUSTOMER_LID, GROUP, jid, message_event
from tests.ingest.inbound import deliver_together
from tests.media.conftest import media_store
from tests.tickets.conftest import desk
from tests.tickets.factories import Desk
from zapdesk.contacts.models import Contact
from zapdesk.context import AppContext
from zapdesk.engine.events import MessageReceived
from zapdesk.engine.neonize.adapter import NeonizeEngine
from zapdesk.media.store import MediaStore
from zapdesk.messages.models import Message
from zapdesk.tickets.models import Ticket

__all__ = ["desk", "media_store"]

Connected = tuple[NeonizeEngine, FakeClient]
RowT = TypeVar("RowT", Contact, Ticket, Message)

OTHER_MEMBER = "5511933334444"
HIDDEN_MEMBER_LID = "88776655443322"


async def rows(context: AppContext, model: type[RowT]) -> list[RowT]:
    async with context.sessionmaker() as session:
        return list((await session.execute(select(model).order_by(model.id))).scalars())  # type: ignore[attr-defined]


async def ingest_delivered(
    connected: Connected, recorder: Recorder, context: AppContext, desk: Desk, media_store: MediaStore, *events: object
) -> list[MessageReceived]:
    """Deliver `events` as Go would, then store what the adapter made of them as the worker does."""
    engine, client = connected
    await client.deliver(*events)  # type: ignore[arg-type]
    await engine.wait_idle()
    messages = recorder.of(MessageReceived)
    await deliver_together(context, desk.connection.id, messages, media_store)
    return messages


async def test_group_messages_from_phone_and_lid_participants_make_one_group_ticket(
    connected: Connected, recorder: Recorder, context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    group = jid(GROUP, "g.us")
    await ingest_delivered(
        connected,
        recorder,
        context,
        desk,
        media_store,
        message_event(
            WaMessage(conversation="bom dia"), message_id="G1", chat=group, sender=jid(OTHER_MEMBER), push_name="Bruno"
        ),
        message_event(
            WaMessage(conversation="oi pessoal"),
            message_id="G2",
            chat=group,
            sender=jid(CUSTOMER_LID, "lid"),
            sender_alt=jid(CUSTOMER),
            push_name="Ana",
        ),
        message_event(
            WaMessage(conversation="alguém aí?"),
            message_id="G3",
            chat=group,
            sender=jid(HIDDEN_MEMBER_LID, "lid"),
            push_name="Lia",
        ),
    )

    [contact] = await rows(context, Contact)
    assert (contact.phone, contact.is_group) == (GROUP, True)
    [ticket] = await rows(context, Ticket)
    assert ticket.unread_count == 3
    messages = await rows(context, Message)
    assert [(m.external_id, m.sender_name, m.extra["sender_phone"]) for m in messages] == [
        ("G1", "Bruno", OTHER_MEMBER),
        ("G2", "Ana", CUSTOMER),
        ("G3", "Lia", f"{HIDDEN_MEMBER_LID}@lid"),  # known only by LID: quoted and read-marked as such
    ]
