"""The neonize adapter's into-ingest tests, run against our engine program: the same goneonize-shaped events,
injected through whatsmeow's own handlers in the built program, then stored by the real inbound pipeline.

Only the tests about files and sends are left out, for a reason of the setting: offline, whatsmeow has no media
servers to download from and no server to send to (`test_commands.py` checks what the adapter asks for). Their
messages are still stored here, with the file pending.
"""

from __future__ import annotations

from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message as WaMessage

from tests.engine.neonize.protos import message_event
from tests.engine.neonize.test_into_ingest import (
    Ingest,
    album_events,
    desk,
    hd_copy_event,
    image_part,
    ingest,
    media_store,
    rows,
    test_a_lid_only_contact_is_merged_into_the_numbers_contact_when_the_mapping_appears,
    test_a_lid_only_customer_gets_a_contact_and_keeps_it_when_the_number_shows_up,
    test_a_message_typed_on_the_business_phone_to_a_lid_chat_is_kept_under_that_lid,
    test_group_messages_from_phone_and_lid_participants_make_one_group_ticket,
)
from zapdesk.context import AppContext
from zapdesk.messages.models import MediaState, Message, MessageType

__all__ = [
    "desk",
    "ingest",
    "media_store",
    "test_a_lid_only_contact_is_merged_into_the_numbers_contact_when_the_mapping_appears",
    "test_a_lid_only_customer_gets_a_contact_and_keeps_it_when_the_number_shows_up",
    "test_a_message_typed_on_the_business_phone_to_a_lid_chat_is_kept_under_that_lid",
    "test_group_messages_from_phone_and_lid_participants_make_one_group_ticket",
]


async def test_an_hd_copy_and_an_album_come_through_the_program_as_photos_with_their_files_pending(
    ingest: Ingest, context: AppContext
) -> None:
    await ingest(message_event(WaMessage(imageMessage=image_part("/v/standard", "fachada")), message_id="SD1"))
    await ingest(hd_copy_event("HD1", "SD1", image_part("/v/hd", "fachada")))
    await ingest(*album_events("ALBUM1", [image_part(f"/v/album/{n}", f"foto {n}") for n in range(3)]))

    messages = await rows(context, Message)
    assert [(m.external_id, m.type, m.body, m.media_state) for m in messages] == [
        ("SD1", MessageType.IMAGE, "fachada", MediaState.PENDING),  # the HD copy is its better file, not a message
        *((f"ALBUM1-{n}", MessageType.IMAGE, f"foto {n}", MediaState.PENDING) for n in range(3)),
    ]
    assert messages[0].extra["better_copy_id"] == "HD1"
    assert [(m.extra["album_id"], m.extra["album_index"]) for m in messages[1:]] == [("ALBUM1", n) for n in range(3)]
