"""Hand-built neonize message and receipt events, fed to a connected adapter, become our normalized events."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from neonize.proto.Neonize_pb2 import Disconnected as DisconnectedEv
from neonize.proto.Neonize_pb2 import Receipt as ReceiptEv
from neonize.proto.waCommon.WACommon_pb2 import MessageKey
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import (
    AudioMessage,
    ContactMessage,
    ContextInfo,
    DocumentMessage,
    ExtendedTextMessage,
    FutureProofMessage,
    ImageMessage,
    LocationMessage,
    Message,
    PollCreationMessage,
    ProtocolMessage,
    ReactionMessage,
    SenderKeyDistributionMessage,
)

from tests.engine.neonize.fakes import FakeClient, Recorder
from tests.engine.neonize.protos import (
    BUSINESS,
    CUSTOMER,
    CUSTOMER_LID,
    GROUP,
    MESSAGE_TIME_MS,
    RECEIPT_TIME_S,
    jid,
    message_event,
    receipt_event,
)
from zapdesk.engine.base import EngineError, NotConnected
from zapdesk.engine.events import (
    Chat,
    ContactCardContent,
    EngineState,
    LocationContent,
    MediaContent,
    MediaKind,
    MessageEdited,
    MessageReceived,
    MessageRevoked,
    ReactionContent,
    Receipt,
    ReceiptKind,
    Sender,
    StateChanged,
    TextContent,
    UnsupportedContent,
)
from zapdesk.engine.neonize.adapter import NeonizeEngine

Connected = tuple[NeonizeEngine, FakeClient]


async def received(connected: Connected, recorder: Recorder, *events: object) -> list[object]:
    """What the handler got for these events (after the connection's own CONNECTED)."""
    engine, client = connected
    before = len(recorder.events)
    await client.deliver(*events)
    await engine.wait_idle()
    return recorder.events[before:]


async def one_message(connected: Connected, recorder: Recorder, event: object) -> MessageReceived:
    [message] = await received(connected, recorder, event)
    assert isinstance(message, MessageReceived)
    return message


# ---- text --------------------------------------------------------------------------------------------------------


async def test_plain_text_becomes_a_text_message_timed_in_milliseconds(
    connected: Connected, recorder: Recorder
) -> None:
    message = await one_message(connected, recorder, message_event(Message(conversation="Olá!"), message_id="M1"))

    assert message == MessageReceived(
        external_id="M1",
        chat=Chat(address=CUSTOMER, name="Ana"),
        sender=Sender(phone=CUSTOMER, push_name="Ana"),
        from_me=False,
        timestamp=datetime.fromtimestamp(MESSAGE_TIME_MS / 1000, UTC),
        content=TextContent(text="Olá!"),
    )
    assert message.timestamp.microsecond == 123_000


async def test_extended_text_keeps_the_id_of_the_message_it_quotes(connected: Connected, recorder: Recorder) -> None:
    text = ExtendedTextMessage(text="sim, esse", contextInfo=ContextInfo(stanzaID="QUOTED1"))
    message = await one_message(connected, recorder, message_event(Message(extendedTextMessage=text)))

    assert message.content == TextContent(text="sim, esse")
    assert message.quoted_id == "QUOTED1"


# ---- media -------------------------------------------------------------------------------------------------------


async def test_an_image_is_handed_over_at_once_and_downloaded_later_by_its_ref(
    connected: Connected, recorder: Recorder
) -> None:
    engine, client = connected
    client.media = b"\x89PNG-bytes"
    image = ImageMessage(
        mimetype="image/png",
        caption="meu pedido",
        fileLength=999,
        directPath="/v/x",
        mediaKey=b"k" * 32,
        JPEGThumbnail=b"t" * 2000,
        contextInfo=ContextInfo(stanzaID="QUOTED1"),
    )
    message = await one_message(connected, recorder, message_event(Message(imageMessage=image)))

    assert client.downloads == []  # the message did not wait for its file
    content = message.content
    assert isinstance(content, MediaContent) and content.ref is not None
    assert (content.kind, content.mime, content.data, content.caption, content.size) == (
        MediaKind.IMAGE,
        "image/png",
        None,
        "meu pedido",
        999,
    )
    assert message.quoted_id == "QUOTED1"

    assert await engine.download(content.ref) == b"\x89PNG-bytes"
    [asked] = client.downloads
    assert (asked.imageMessage.directPath, asked.imageMessage.mediaKey) == ("/v/x", b"k" * 32)
    assert not asked.imageMessage.HasField("JPEGThumbnail")  # what the download needs, not the preview


async def test_voice_note_is_voice_and_other_audio_is_audio(connected: Connected, recorder: Recorder) -> None:
    voice = AudioMessage(mimetype="audio/ogg; codecs=opus", PTT=True, seconds=7)
    song = AudioMessage(mimetype="audio/mpeg", PTT=False, seconds=180)
    first, second = await received(
        connected,
        recorder,
        message_event(Message(audioMessage=voice), message_id="V1"),
        message_event(Message(audioMessage=song), message_id="A1"),
    )

    assert isinstance(first, MessageReceived) and isinstance(second, MessageReceived)
    assert isinstance(first.content, MediaContent) and isinstance(second.content, MediaContent)
    assert (first.content.kind, first.content.mime, first.content.seconds) == (
        MediaKind.VOICE,
        "audio/ogg; codecs=opus",
        7,
    )
    assert (second.content.kind, second.content.seconds) == (MediaKind.AUDIO, 180)


async def test_document_keeps_its_file_name_mime_and_caption(connected: Connected, recorder: Recorder) -> None:
    document = DocumentMessage(mimetype="application/pdf", fileName="boleto.pdf", caption="segue", fileLength=12)
    message = await one_message(connected, recorder, message_event(Message(documentMessage=document)))

    assert isinstance(message.content, MediaContent)
    assert message.content.kind is MediaKind.DOCUMENT
    assert (message.content.file_name, message.content.mime, message.content.caption) == (
        "boleto.pdf",
        "application/pdf",
        "segue",
    )


async def test_a_failed_download_says_why_and_whether_trying_again_may_work(
    connected: Connected, recorder: Recorder
) -> None:
    engine, client = connected
    message = await one_message(
        connected, recorder, message_event(Message(imageMessage=ImageMessage(mimetype="image/jpeg")))
    )
    assert isinstance(message.content, MediaContent) and message.content.ref is not None

    client.media = RuntimeError("failed to download media: context deadline exceeded")
    with pytest.raises(EngineError) as blinked:
        await engine.download(message.content.ref)
    client.media = RuntimeError("download failed with status code 410")  # whatsmeow's DownloadHTTPError
    with pytest.raises(EngineError) as gone:
        await engine.download(message.content.ref)

    assert blinked.value.retryable and "deadline exceeded" in str(blinked.value)
    assert not gone.value.retryable and "410" in str(gone.value)


async def test_downloads_wait_for_the_session_to_be_back(connected: Connected, recorder: Recorder) -> None:
    engine, client = connected
    message = await one_message(
        connected, recorder, message_event(Message(imageMessage=ImageMessage(mimetype="image/jpeg")))
    )
    assert isinstance(message.content, MediaContent) and message.content.ref is not None
    await client.deliver(DisconnectedEv(status=True))
    await engine.wait_idle()

    with pytest.raises(NotConnected):
        await engine.download(message.content.ref)
    assert client.downloads == []


# ---- other content ----------------------------------------------------------------------------------------------


async def test_location_becomes_coordinates_with_its_name(connected: Connected, recorder: Recorder) -> None:
    place = LocationMessage(degreesLatitude=-23.55, degreesLongitude=-46.63, name="Loja Centro", address="Rua A, 1")
    message = await one_message(connected, recorder, message_event(Message(locationMessage=place)))

    assert message.content == LocationContent(latitude=-23.55, longitude=-46.63, name="Loja Centro", address="Rua A, 1")


async def test_contact_card_keeps_its_vcard(connected: Connected, recorder: Recorder) -> None:
    vcard = "BEGIN:VCARD\nVERSION:3.0\nFN:Bia\nTEL:+5511977776666\nEND:VCARD"
    card = ContactMessage(displayName="Bia", vcard=vcard)
    message = await one_message(connected, recorder, message_event(Message(contactMessage=card)))

    assert message.content == ContactCardContent(display_name="Bia", vcard=vcard)


async def test_reaction_points_at_the_message_it_reacts_to(connected: Connected, recorder: Recorder) -> None:
    reaction = ReactionMessage(key=MessageKey(ID="TARGET1", fromMe=True, remoteJID=f"{CUSTOMER}@s.whatsapp.net"))
    reaction.text = "👍"
    message = await one_message(connected, recorder, message_event(Message(reactionMessage=reaction)))

    assert message.content == ReactionContent(target_id="TARGET1", emoji="👍")


async def test_unknown_content_is_kept_as_unsupported(connected: Connected, recorder: Recorder) -> None:
    poll = Message(pollCreationMessage=PollCreationMessage(name="Qual horário?"))
    message = await one_message(connected, recorder, message_event(poll))

    assert message.content == UnsupportedContent(kind="pollCreationMessage")


async def test_protocol_plumbing_is_not_a_message(connected: Connected, recorder: Recorder) -> None:
    key_share = Message(senderKeyDistributionMessage=SenderKeyDistributionMessage(groupID="x"))
    history = Message(protocolMessage=ProtocolMessage(type=ProtocolMessage.HISTORY_SYNC_NOTIFICATION))

    assert await received(connected, recorder, message_event(key_share), message_event(history)) == []


async def test_content_inside_an_ephemeral_wrapper_is_read(connected: Connected, recorder: Recorder) -> None:
    wrapped = Message(ephemeralMessage=FutureProofMessage(message=Message(conversation="some em 24h")))
    message = await one_message(connected, recorder, message_event(wrapped))

    assert message.content == TextContent(text="some em 24h")


# ---- revoke and edit -------------------------------------------------------------------------------------------


async def test_revoke_becomes_message_revoked(connected: Connected, recorder: Recorder) -> None:
    revoke = ProtocolMessage(type=ProtocolMessage.REVOKE, key=MessageKey(ID="GONE1"))
    [event] = await received(connected, recorder, message_event(Message(protocolMessage=revoke), message_id="R1"))

    assert event == MessageRevoked(
        chat=Chat(address=CUSTOMER, name="Ana"),
        external_id="GONE1",
        timestamp=datetime.fromtimestamp(MESSAGE_TIME_MS / 1000, UTC),
    )


async def test_edit_becomes_message_edited_with_the_new_text(connected: Connected, recorder: Recorder) -> None:
    edit = ProtocolMessage(
        type=ProtocolMessage.MESSAGE_EDIT,
        key=MessageKey(ID="ORIGINAL1"),
        editedMessage=Message(extendedTextMessage=ExtendedTextMessage(text="corrigido")),
    )
    still_wrapped = Message(editedMessage=FutureProofMessage(message=Message(protocolMessage=edit)))
    first, second = await received(
        connected, recorder, message_event(Message(protocolMessage=edit)), message_event(still_wrapped)
    )

    assert isinstance(first, MessageEdited)
    assert (first.external_id, first.text, first.chat.address) == ("ORIGINAL1", "corrigido", CUSTOMER)
    assert second == first


# ---- who and where ---------------------------------------------------------------------------------------------


async def test_message_typed_on_the_business_phone_is_from_me(connected: Connected, recorder: Recorder) -> None:
    event = message_event(Message(conversation="já separei"), from_me=True, push_name="Loja")
    message = await one_message(connected, recorder, event)

    assert message.from_me is True
    assert message.chat == Chat(address=CUSTOMER)  # the customer's chat, not named after ourselves
    assert message.sender.phone == BUSINESS


async def test_lid_sender_is_mapped_to_its_phone_number_through_sender_alt(
    connected: Connected, recorder: Recorder
) -> None:
    lid = jid(CUSTOMER_LID, "lid")
    event = message_event(Message(conversation="oi"), chat=lid, sender=lid, sender_alt=jid(CUSTOMER))
    message = await one_message(connected, recorder, event)

    assert message.chat == Chat(address=CUSTOMER, name="Ana")
    assert message.sender == Sender(phone=CUSTOMER, lid=CUSTOMER_LID, push_name="Ana")


async def test_lid_without_alt_is_looked_up_in_whatsmeows_lid_store(connected: Connected, recorder: Recorder) -> None:
    _, client = connected
    client.lid_phones[CUSTOMER_LID] = CUSTOMER
    lid = jid(CUSTOMER_LID, "lid")
    message = await one_message(connected, recorder, message_event(Message(conversation="oi"), chat=lid, sender=lid))

    assert message.chat.address == CUSTOMER
    assert message.sender == Sender(phone=CUSTOMER, lid=CUSTOMER_LID, push_name="Ana")


async def test_lid_learned_from_one_message_serves_the_next(connected: Connected, recorder: Recorder) -> None:
    lid = jid(CUSTOMER_LID, "lid")
    first = message_event(Message(conversation="1"), message_id="L1", chat=lid, sender=lid, sender_alt=jid(CUSTOMER))
    second = message_event(Message(conversation="2"), message_id="L2", chat=lid, sender=lid)
    messages = await received(connected, recorder, first, second)

    assert [m.chat.address for m in messages if isinstance(m, MessageReceived)] == [CUSTOMER, CUSTOMER]


async def test_unresolvable_lid_stays_a_lid_address(connected: Connected, recorder: Recorder) -> None:
    lid = jid(CUSTOMER_LID, "lid")
    message = await one_message(connected, recorder, message_event(Message(conversation="oi"), chat=lid, sender=lid))

    assert message.chat.address == f"{CUSTOMER_LID}@lid"
    assert message.sender == Sender(phone=None, lid=CUSTOMER_LID, push_name="Ana")


async def test_from_me_in_a_lid_chat_uses_the_recipient_alt(connected: Connected, recorder: Recorder) -> None:
    event = message_event(
        Message(conversation="pronto"),
        chat=jid(CUSTOMER_LID, "lid"),
        sender=jid("99999", "lid"),
        from_me=True,
        recipient_alt=jid(CUSTOMER),
    )
    message = await one_message(connected, recorder, event)

    assert message.from_me and message.chat == Chat(address=CUSTOMER)


async def test_group_message_is_the_groups_chat_written_by_a_participant(
    connected: Connected, recorder: Recorder
) -> None:
    event = message_event(
        Message(conversation="bom dia"),
        chat=jid(GROUP, "g.us"),
        sender=jid(CUSTOMER_LID, "lid"),
        sender_alt=jid(CUSTOMER),
    )
    message = await one_message(connected, recorder, event)

    assert message.chat == Chat(address=f"{GROUP}@g.us", is_group=True)
    assert message.sender == Sender(phone=CUSTOMER, lid=CUSTOMER_LID, push_name="Ana")


async def test_status_broadcasts_and_newsletters_are_skipped(connected: Connected, recorder: Recorder) -> None:
    status = message_event(Message(conversation="story"), chat=jid("status", "broadcast"), sender=jid(CUSTOMER))
    channel = message_event(Message(conversation="news"), chat=jid("120363000000000000", "newsletter"))

    assert await received(connected, recorder, status, channel) == []


async def test_messages_reach_the_handler_in_arrival_order(connected: Connected, recorder: Recorder) -> None:
    events = [message_event(Message(conversation=str(n)), message_id=f"ORDER{n:02d}") for n in range(30)]
    messages = await received(connected, recorder, *events)

    assert [m.external_id for m in messages if isinstance(m, MessageReceived)] == [f"ORDER{n:02d}" for n in range(30)]


# ---- receipts ----------------------------------------------------------------------------------------------------


async def test_receipts_name_every_message_whatever_the_order(connected: Connected, recorder: Recorder) -> None:
    android = receipt_event(ReceiptEv.DELIVERED, ["M3", "M2", "M1"])  # newest first
    ios = receipt_event(ReceiptEv.READ, ["M1", "M2", "M3"])  # oldest first
    delivered, read = await received(connected, recorder, android, ios)

    assert isinstance(delivered, Receipt) and isinstance(read, Receipt)
    assert (delivered.kind, set(delivered.external_ids)) == (ReceiptKind.DELIVERED, {"M1", "M2", "M3"})
    assert (read.kind, set(read.external_ids)) == (ReceiptKind.READ, {"M1", "M2", "M3"})
    assert delivered.chat == Chat(address=CUSTOMER)
    assert read.timestamp == datetime.fromtimestamp(RECEIPT_TIME_S, UTC)  # seconds, not milliseconds


async def test_played_receipt_is_played(connected: Connected, recorder: Recorder) -> None:
    [played] = await received(connected, recorder, receipt_event(ReceiptEv.PLAYED, ["VOICE1"]))

    assert isinstance(played, Receipt) and played.kind is ReceiptKind.PLAYED


async def test_our_own_devices_receipts_are_not_news(connected: Connected, recorder: Recorder) -> None:
    own = [receipt_event(kind, ["M1"]) for kind in (ReceiptEv.READ_SELF, ReceiptEv.SENDER, ReceiptEv.RETRY)]

    assert await received(connected, recorder, *own) == []


async def test_a_backlog_reaches_the_handler_before_the_earlier_messages_returned_and_a_drop_waits_for_them(
    connected: Connected, recorder: Recorder
) -> None:
    engine, client = connected
    recorder.messages_stored = asyncio.Event()
    backlog = [message_event(Message(conversation=f"fila {n}"), message_id=f"Q{n}") for n in range(3)]
    await client.deliver(*backlog, DisconnectedEv(status=True))

    async with asyncio.timeout(5):
        while len(recorder.of(MessageReceived)) < 3:
            await asyncio.sleep(0.01)
    assert recorder.of(StateChanged)[-1].state is EngineState.CONNECTED  # the drop waits behind the messages
    recorder.messages_stored.set()
    await engine.wait_idle()

    assert [event.external_id for event in recorder.returned if isinstance(event, MessageReceived)] == [
        "Q0",
        "Q1",
        "Q2",
    ]
    assert recorder.of(StateChanged)[-1].state is EngineState.RECONNECTING
