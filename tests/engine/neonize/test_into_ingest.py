"""Hand-built neonize events, shaped as goneonize encodes them, through the adapter and then the real inbound
pipeline: what a day on real WhatsApp would store."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest
from google.protobuf.message import Message as ProtoMessage
from neonize.proto.Neonize_pb2 import Receipt as ReceiptEv
from neonize.proto.waCommon.WACommon_pb2 import MessageKey
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import (
    AlbumMessage,
    DocumentMessage,
    FutureProofMessage,
    ImageMessage,
    MessageAssociation,
    MessageContextInfo,
    VideoMessage,
)
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message as WaMessage
from sqlalchemy import select

from tests.conftest import EventLog
from tests.engine.neonize.fakes import FakeClient, Recorder
from tests.engine.neonize.protos import CUSTOMER, CUSTOMER_LID, GROUP, jid, message_event, receipt_event
from tests.ingest.downloads import (
    FAST_RETRIES,
    eventually_message,
    media_settles,
    message_by_external_id,
    running_downloader,
)
from tests.ingest.inbound import deliver_together
from tests.media.conftest import media_store
from tests.media.samples import JPEG, MP4, PNG
from tests.outbox.helpers import eventually, queue_message, reload, status_becomes
from tests.tickets.conftest import desk
from tests.tickets.factories import Desk
from zapdesk.contacts.models import Contact
from zapdesk.context import AppContext
from zapdesk.db.uow import unit_of_work
from zapdesk.engine.events import MessageReceived, Receipt
from zapdesk.engine.neonize.adapter import NeonizeEngine
from zapdesk.ingest.service import Inbound
from zapdesk.media.store import MediaStore
from zapdesk.messages.models import MediaState, Message, MessageStatus, MessageType
from zapdesk.tickets.models import Ticket, TicketStatus
from zapdesk.worker.pipeline import runner_deps

__all__ = ["desk", "media_store"]

Connected = tuple[NeonizeEngine, FakeClient]
RowT = TypeVar("RowT", Contact, Ticket, Message)

OTHER_MEMBER = "5511933334444"
HIDDEN_MEMBER_LID = "88776655443322"


async def rows(context: AppContext, model: type[RowT]) -> list[RowT]:
    async with context.sessionmaker() as session:
        return list((await session.execute(select(model).order_by(model.id))).scalars())  # type: ignore[attr-defined]


Ingest = Callable[..., Awaitable[list[MessageReceived]]]


@pytest.fixture
def ingest(
    connected: Connected, recorder: Recorder, context: AppContext, desk: Desk, media_store: MediaStore
) -> Ingest:
    """Deliver events as Go would, then store what the adapter made of them as the worker does."""

    async def deliver_and_store(*events: ProtoMessage) -> list[MessageReceived]:
        engine, client = connected
        before = len(recorder.of(MessageReceived))
        await client.deliver(*events)
        await engine.wait_idle()
        messages = recorder.of(MessageReceived)[before:]
        await deliver_together(context, desk.connection.id, messages, media_store)
        return messages

    return deliver_and_store


async def test_group_messages_from_phone_and_lid_participants_make_one_group_ticket(
    ingest: Ingest, context: AppContext
) -> None:
    group = jid(GROUP, "g.us")
    await ingest(
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


# ---- files: the message first, the file after ------------------------------------------------------------------


def photo_event(message_id: str) -> ProtoMessage:
    image = ImageMessage(mimetype="image/png", caption="comprovante", fileLength=len(PNG), directPath="/v/t62/x")
    return message_event(WaMessage(imageMessage=image), message_id=message_id)


async def test_a_photo_is_stored_before_any_download_and_its_file_follows(
    ingest: Ingest, connected: Connected, context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    engine, client = connected
    client.media = PNG
    await ingest(photo_event("P1"))

    stored = await message_by_external_id(context, "P1")
    assert (stored.media_state, stored.media_path, client.downloads) == (MediaState.PENDING, None, [])

    async with running_downloader(context, desk.connection.id, engine, media_store):
        ready = await media_settles(context, "P1")

    assert ready.media_state == MediaState.READY and ready.media_path is not None
    assert await media_store.read(ready.media_path) == PNG
    [asked] = client.downloads
    assert asked.imageMessage.directPath == "/v/t62/x"


async def test_a_failed_download_is_marked_and_retried_until_the_file_comes(
    ingest: Ingest,
    connected: Connected,
    context: AppContext,
    desk: Desk,
    media_store: MediaStore,
    published: EventLog,
) -> None:
    engine, client = connected
    # The first download times out; by the retry WhatsApp's media servers are back.
    client.media = [RuntimeError("failed to download media: context deadline exceeded"), PNG]
    await ingest(photo_event("P2"))
    async with running_downloader(context, desk.connection.id, engine, media_store):
        ready = await media_settles(context, "P2")

    assert ready.media_state == MediaState.READY and "media_error" not in ready.extra
    assert ready.media_attempts == 1 and len(client.downloads) == 2
    updates = [e.payload for e in published.named("message.updated")]
    assert [update["media_state"] for update in updates] == ["retrying", "ready"]
    assert "deadline exceeded" in updates[0]["extra"]["media_error"]


async def test_a_file_whatsapp_no_longer_has_is_failed_at_once_and_one_that_keeps_failing_after_the_retries(
    ingest: Ingest, connected: Connected, context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    engine, client = connected
    client.media = RuntimeError("download failed with status code 404")
    await ingest(photo_event("GONE"))
    async with running_downloader(context, desk.connection.id, engine, media_store):
        gone = await media_settles(context, "GONE")
    client.media = RuntimeError("failed to download media: connection reset")
    await ingest(photo_event("FLAKY"))
    async with running_downloader(context, desk.connection.id, engine, media_store):
        flaky = await media_settles(context, "FLAKY")

    assert (gone.media_state, gone.media_attempts) == (MediaState.FAILED, 1)
    assert "404" in gone.extra["media_error"]
    assert (flaky.media_state, flaky.media_attempts) == (MediaState.FAILED, FAST_RETRIES.max_attempts)
    assert "connection reset" in flaky.extra["media_error"]
    assert [m.media_path for m in (gone, flaky)] == [None, None]


async def test_a_file_over_the_size_limit_is_not_downloaded(
    ingest: Ingest, connected: Connected, context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    engine, client = connected
    video = DocumentMessage(mimetype="video/mp4", fileLength=5_000, fileName="filme.mp4")
    await ingest(
        message_event(WaMessage(documentMessage=video), message_id="BIG"),
    )
    async with running_downloader(context, desk.connection.id, engine, media_store, max_bytes=1_000):
        big = await media_settles(context, "BIG")

    assert big.media_state == MediaState.FAILED and client.downloads == []
    assert "5,000 bytes" in big.extra["media_error"]


# ---- HD photos, albums and round video notes, as whatsmeow delivers them ----------------------------------------


def hd_copy_event(message_id: str, parent_id: str, image: ImageMessage) -> ProtoMessage:
    """whatsmeow does not unwrap an HD dual upload: the HD image sits in `associatedChildMessage`, the message
    saying it is a copy of `parent_id`."""
    association = MessageAssociation(
        associationType=MessageAssociation.HD_IMAGE_DUAL_UPLOAD, parentMessageKey=MessageKey(ID=parent_id)
    )
    child = FutureProofMessage(message=WaMessage(imageMessage=image))
    message = WaMessage(
        associatedChildMessage=child, messageContextInfo=MessageContextInfo(messageAssociation=association)
    )
    return message_event(message, message_id=message_id)


def album_events(album_id: str, photos: list[ImageMessage]) -> list[ProtoMessage]:
    """An album: a message announcing it, then each item as its own message pointing back to it (inside an
    `associatedChildMessage` in the builds that wrap them)."""
    opening = message_event(WaMessage(albumMessage=AlbumMessage(expectedImageCount=len(photos))), message_id=album_id)
    items = []
    for index, photo in enumerate(photos):
        association = MessageAssociation(
            associationType=MessageAssociation.MEDIA_ALBUM,
            parentMessageKey=MessageKey(ID=album_id),
            messageIndex=index,
        )
        inner = WaMessage(imageMessage=photo, messageContextInfo=MessageContextInfo(messageAssociation=association))
        items.append(
            message_event(
                WaMessage(associatedChildMessage=FutureProofMessage(message=inner)), message_id=f"{album_id}-{index}"
            )
        )
    return [opening, *items]


def image_part(path: str, caption: str = "") -> ImageMessage:
    return ImageMessage(mimetype="image/jpeg", directPath=path, caption=caption, mediaKey=b"k" * 32)


async def test_an_hd_photo_replaces_the_file_of_its_standard_copy_in_one_message(
    ingest: Ingest, connected: Connected, context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    engine, client = connected
    standard, hd = JPEG, JPEG + b"\x00" * 4096
    client.media = {"/v/standard": standard, "/v/hd": hd}
    await ingest(message_event(WaMessage(imageMessage=image_part("/v/standard", "fachada")), message_id="SD1"))
    async with running_downloader(context, desk.connection.id, engine, media_store):
        first = await media_settles(context, "SD1")
        await ingest(hd_copy_event("HD1", "SD1", image_part("/v/hd", "fachada")))
        hd_done = await eventually_message(context, "SD1", lambda m: m.media_size == len(hd))

    messages = await rows(context, Message)
    assert [(m.external_id, m.body) for m in messages] == [("SD1", "fachada")]  # one message, not two
    assert hd_done.media_path is not None and await media_store.read(hd_done.media_path) == hd
    assert hd_done.extra["better_copy_id"] == "HD1"
    assert first.media_path is not None

    async def first_file_deleted() -> bool:  # right after the commit that took the HD file
        return not media_store.root.joinpath(first.media_path or "").exists()

    await eventually(first_file_deleted)


class HeldDeletions(MediaStore):
    """A store whose deletions wait for `release`: holds the downloader between a commit and the deletion it allows."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.deleting = asyncio.Event()
        self.release = asyncio.Event()

    async def delete(self, relative: str) -> None:
        self.deleting.set()
        await self.release.wait()
        await super().delete(relative)


async def test_closing_the_downloader_after_the_hd_commit_still_deletes_the_file_it_replaced(
    ingest: Ingest, connected: Connected, context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    engine, client = connected
    store = HeldDeletions(media_store.root)
    client.media = {"/v/standard": JPEG, "/v/hd": JPEG + b"\x00" * 4096}
    await ingest(message_event(WaMessage(imageMessage=image_part("/v/standard", "fachada")), message_id="SD1"))
    async with running_downloader(context, desk.connection.id, engine, store) as downloader:
        first = await media_settles(context, "SD1")
        await ingest(hd_copy_event("HD1", "SD1", image_part("/v/hd", "fachada")))
        async with asyncio.timeout(10):
            await store.deleting.wait()  # the HD file is committed; the first one not yet deleted
        closing = asyncio.create_task(downloader.close())  # the worker stops the session right now
        await asyncio.sleep(0.1)
        store.release.set()
        await closing

    assert first.media_path is not None
    assert not media_store.root.joinpath(first.media_path).exists()
    assert (await message_by_external_id(context, "SD1")).extra["better_copy_id"] == "HD1"


async def test_an_hd_copy_whose_original_is_not_stored_is_a_message_of_its_own(
    ingest: Ingest, connected: Connected, context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    engine, client = connected
    client.media = {"/v/hd": JPEG}
    await ingest(hd_copy_event("HD2", "NEVER-SEEN", image_part("/v/hd", "só a HD")))
    async with running_downloader(context, desk.connection.id, engine, media_store):
        alone = await media_settles(context, "HD2")

    assert (alone.type, alone.body, alone.media_state) == (MessageType.IMAGE, "só a HD", MediaState.READY)
    assert alone.media_path is not None and await media_store.read(alone.media_path) == JPEG


async def test_an_album_of_three_photos_is_three_photo_messages_of_one_album_with_their_files(
    ingest: Ingest, connected: Connected, context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    engine, client = connected
    files = {f"/v/album/{n}": JPEG + bytes([n]) * (n + 1) for n in range(3)}
    client.media = files
    await ingest(*album_events("ALBUM1", [image_part(path, f"foto {n}") for n, path in enumerate(files)]))
    async with running_downloader(context, desk.connection.id, engine, media_store):
        items = [await media_settles(context, f"ALBUM1-{n}") for n in range(3)]

    assert [m.external_id for m in await rows(context, Message)] == ["ALBUM1-0", "ALBUM1-1", "ALBUM1-2"]
    assert [(m.type, m.body, m.extra["album_id"], m.extra["album_index"]) for m in items] == [
        (MessageType.IMAGE, f"foto {n}", "ALBUM1", n) for n in range(3)
    ]
    assert [await media_store.read(m.media_path or "") for m in items] == list(files.values())
    [ticket] = await rows(context, Ticket)
    assert ticket.unread_count == 3


async def test_a_round_video_note_is_stored_as_a_video_note_and_downloaded_as_the_video_it_is(
    ingest: Ingest, connected: Connected, context: AppContext, desk: Desk, media_store: MediaStore
) -> None:
    engine, client = connected
    client.media = {"/v/ptv": MP4}
    note = VideoMessage(mimetype="video/mp4", directPath="/v/ptv", seconds=12, mediaKey=b"k" * 32)
    await ingest(message_event(WaMessage(ptvMessage=note), message_id="PTV1"))
    async with running_downloader(context, desk.connection.id, engine, media_store):
        stored = await media_settles(context, "PTV1")

    assert (stored.type, stored.media_state, stored.extra["seconds"]) == (MessageType.VIDEO_NOTE, MediaState.READY, 12)
    assert stored.media_path is not None and await media_store.read(stored.media_path) == MP4
    [asked] = client.downloads  # DownloadAny does not look at ptvMessage: it was asked for a videoMessage
    assert asked.videoMessage.directPath == "/v/ptv" and not asked.HasField("ptvMessage")


# ---- customers WhatsApp names only by LID ----------------------------------------------------------------------


def from_lid(text: str, message_id: str, *, phone: str | None = None) -> ProtoMessage:
    """The customer writes from their LID; the number comes along (`SenderAlt`) only when WhatsApp gives it."""
    lid = jid(CUSTOMER_LID, "lid")
    return message_event(
        WaMessage(conversation=text),
        message_id=message_id,
        chat=lid,
        sender=lid,
        sender_alt=jid(phone) if phone else None,
    )


async def test_a_lid_only_customer_gets_a_contact_and_keeps_it_when_the_number_shows_up(
    ingest: Ingest, context: AppContext, published: EventLog
) -> None:
    [first] = await ingest(from_lid("oi, sou nova aqui", "L1"))
    [contact] = await rows(context, Contact)
    assert first.sender.phone is None  # neither the event nor the LID store knew the number
    assert (contact.phone, contact.lid, contact.name) == (f"{CUSTOMER_LID}@lid", CUSTOMER_LID, "Ana")

    await ingest(from_lid("meu pedido chegou?", "L2", phone=CUSTOMER))

    [contact] = await rows(context, Contact)
    assert (contact.phone, contact.lid) == (CUSTOMER, CUSTOMER_LID)
    [ticket] = await rows(context, Ticket)
    assert [(m.external_id, m.contact_id, m.ticket_id) for m in await rows(context, Message)] == [
        ("L1", contact.id, ticket.id),
        ("L2", contact.id, ticket.id),
    ]
    assert published.named("contact.updated")[-1].payload["phone"] == CUSTOMER


async def test_a_lid_only_contact_is_merged_into_the_numbers_contact_when_the_mapping_appears(
    ingest: Ingest, connected: Connected, context: AppContext, published: EventLog
) -> None:
    _, client = connected
    await ingest(message_event(WaMessage(conversation="oi (pelo número)"), message_id="N1"))
    await ingest(from_lid("oi (pelo LID)", "L1"))
    assert len(await rows(context, Contact)) == len(await rows(context, Ticket)) == 2  # not known to be one yet
    lid_contact = next(c for c in await rows(context, Contact) if c.lid == CUSTOMER_LID)
    lid_ticket = next(t for t in await rows(context, Ticket) if t.contact_id == lid_contact.id)

    client.lid_phones[CUSTOMER_LID] = CUSTOMER  # whatsmeow's LID store learned the number
    await ingest(from_lid("e agora?", "L2"))

    [contact] = await rows(context, Contact)
    assert (contact.phone, contact.lid) == (CUSTOMER, CUSTOMER_LID)
    [ticket] = await rows(context, Ticket)
    assert ticket.unread_count == 3
    messages = await rows(context, Message)
    assert [(m.external_id, m.contact_id, m.ticket_id) for m in messages] == [
        ("N1", contact.id, ticket.id),
        ("L1", contact.id, ticket.id),
        ("L2", contact.id, ticket.id),
    ]
    assert {"id": lid_contact.id} in [e.payload for e in published.named("contact.removed")]
    assert {"id": lid_ticket.id} in [e.payload for e in published.named("ticket.removed")]


async def test_a_message_typed_on_the_business_phone_to_a_lid_chat_is_kept_under_that_lid(
    ingest: Ingest, context: AppContext
) -> None:
    typed = message_event(
        WaMessage(conversation="oi, aqui é da loja"),
        message_id="OUT1",
        chat=jid(CUSTOMER_LID, "lid"),
        sender=jid("99999", "lid"),
        from_me=True,
        push_name="Loja",
    )
    await ingest(typed)
    [contact] = await rows(context, Contact)
    assert (contact.phone, contact.lid, contact.push_name) == (f"{CUSTOMER_LID}@lid", CUSTOMER_LID, None)

    await ingest(from_lid("oi! recebi", "L1", phone=CUSTOMER))

    [contact] = await rows(context, Contact)
    assert (contact.phone, contact.lid, contact.push_name) == (CUSTOMER, CUSTOMER_LID, "Ana")
    assert [(m.external_id, m.from_me) for m in await rows(context, Message)] == [("OUT1", True), ("L1", False)]
    assert len(await rows(context, Ticket)) == 1


# ---- a send WhatsApp confirms late -------------------------------------------------------------------------------


async def test_a_receipt_that_comes_before_its_send_returns_is_applied_once_the_send_is_stored(
    connected: Connected, recorder: Recorder, context: AppContext, desk: Desk
) -> None:
    engine, client = connected
    async with unit_of_work(context.sessionmaker) as session:
        contact = Contact(name="Ana", phone=CUSTOMER, custom_fields={})
        session.add(contact)
        await session.flush()
        ticket = Ticket(contact_id=contact.id, connection_id=desk.connection.id, status=TicketStatus.OPEN)
        session.add(ticket)
    message = await queue_message(context, ticket, "seu pedido saiu")
    client.send_id, client.send_gate = "3EB0GOPICKED0001", asyncio.Event()
    deps = runner_deps(context.settings, context.sessionmaker, context.publish)
    outbox = deps.start_outbox(desk.connection.id, engine, lambda: True)
    try:
        while client.sends == 0:
            await asyncio.sleep(0.01)
        # Go's SendMessage has not returned yet, and WhatsApp already says the customer's phone got it.
        await client.deliver(receipt_event(ReceiptEv.DELIVERED, ["3EB0GOPICKED0001"]))
        await engine.wait_idle()
        async with unit_of_work(context.sessionmaker, context.publish) as session:
            await deps.ingest(session, [Inbound(desk.connection.id, receipt) for receipt in recorder.of(Receipt)])
        assert (await reload(context, message.id)).status == MessageStatus.PENDING  # no message has that id yet

        client.send_gate.set()
        delivered = await status_becomes(context, message.id, MessageStatus.DELIVERED)
    finally:
        await outbox.close()

    assert delivered.external_id == "3EB0GOPICKED0001" and client.sends == 1
