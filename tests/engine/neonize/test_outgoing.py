"""What the adapter hands neonize's `send_message`: protobufs we build ourselves, captured on the fake client."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message
from neonize.utils.enum import ChatPresence, MediaType, ReceiptType
from PIL import Image

from tests.engine.neonize.fakes import FakeClient
from tests.engine.neonize.protos import BUSINESS, CUSTOMER, CUSTOMER_LID, GROUP
from zapdesk.engine.base import EngineError, NotConnected
from zapdesk.engine.events import Chat, MediaKind, OutgoingMedia, OutgoingMessage, QuotedMessage, SendResult
from zapdesk.engine.neonize.adapter import NeonizeEngine

Connected = tuple[NeonizeEngine, FakeClient]
CUSTOMER_CHAT = Chat(address=CUSTOMER)
JID_FIELDS = ("User", "RawAgent", "Device", "Integrator", "Server", "IsEmpty")


def png(width: int = 640, height: int = 480) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


async def sent_one(connected: Connected, message: OutgoingMessage, chat: Chat = CUSTOMER_CHAT) -> Message:
    engine, client = connected
    await engine.send(chat, message)
    [(to, proto)] = client.sent
    assert all(to.HasField(name) for name in JID_FIELDS)  # Go dereferences every field of the JID
    return proto


async def test_text_is_a_plain_conversation_without_mentions(connected: Connected) -> None:
    engine, client = connected
    await engine.send(CUSTOMER_CHAT, OutgoingMessage(message_id="X", text="Ligue para @5511977776666"))

    [(to, proto)] = client.sent
    assert (to.User, to.Server) == (CUSTOMER, "s.whatsapp.net")
    assert proto == Message(conversation="Ligue para @5511977776666")


async def test_send_returns_the_id_whatsapp_used_and_its_time_in_seconds(connected: Connected) -> None:
    engine, _ = connected
    result = await engine.send(CUSTOMER_CHAT, OutgoingMessage(message_id="3EB0CHOSENBYUS", text="oi"))

    # neonize 0.5.2 has no way to pass our id; the one WhatsApp used is what receipts will name.
    assert result == SendResult(external_id=result.external_id, timestamp=datetime.fromtimestamp(1_700_000_100, UTC))
    assert result.external_id.startswith("3EB0SENT")


async def test_quoted_reply_carries_the_quoted_id_author_and_text(connected: Connected) -> None:
    quoted = QuotedMessage(external_id="CUSTOMER_MSG1", sender_phone=CUSTOMER, text="qual o prazo?")
    proto = await sent_one(connected, OutgoingMessage(message_id="X", text="3 dias", quoted=quoted))

    reply = proto.extendedTextMessage
    assert reply.text == "3 dias"
    assert reply.contextInfo.stanzaID == "CUSTOMER_MSG1"
    assert reply.contextInfo.participant == f"{CUSTOMER}@s.whatsapp.net"
    assert reply.contextInfo.quotedMessage == Message(conversation="qual o prazo?")
    assert not reply.contextInfo.mentionedJID


async def test_reply_to_our_own_message_names_our_number(connected: Connected) -> None:
    quoted = QuotedMessage(external_id="OUR_MSG1", sender_phone=None, text="pedido enviado")
    proto = await sent_one(connected, OutgoingMessage(message_id="X", text="chegou?", quoted=quoted))

    assert proto.extendedTextMessage.contextInfo.participant == f"{BUSINESS}@s.whatsapp.net"


async def test_image_is_uploaded_from_bytes_and_sent_with_its_keys(connected: Connected) -> None:
    _, client = connected
    data = png()
    media = OutgoingMedia(kind=MediaKind.IMAGE, data=data, mime="image/png")
    proto = await sent_one(connected, OutgoingMessage(message_id="X", text="seu boleto", media=media))

    assert client.uploads == [(data, MediaType.MediaImage)]
    image = proto.imageMessage
    assert (image.URL, image.directPath, image.mediaKey) == ("https://mmg.whatsapp.net/x", "/v/t62/x", b"k" * 32)
    assert (image.fileEncSHA256, image.fileSHA256, image.fileLength) == (b"e" * 32, b"s" * 32, len(data))
    assert (image.mimetype, image.caption) == ("image/png", "seu boleto")
    assert (image.width, image.height) == (640, 480)
    assert image.JPEGThumbnail.startswith(b"\xff\xd8")  # a JPEG preview, made without ffmpeg


async def test_image_reply_quotes_inside_the_media_message(connected: Connected) -> None:
    media = OutgoingMedia(kind=MediaKind.IMAGE, data=png(20, 20), mime="image/png")
    quoted = QuotedMessage(external_id="Q9", sender_phone=CUSTOMER, text="foto?")
    proto = await sent_one(connected, OutgoingMessage(message_id="X", media=media, quoted=quoted))

    assert proto.imageMessage.contextInfo.stanzaID == "Q9"
    assert not proto.imageMessage.HasField("caption")


async def test_document_keeps_its_name_mime_and_caption(connected: Connected) -> None:
    _, client = connected
    media = OutgoingMedia(kind=MediaKind.DOCUMENT, data=b"%PDF-1.4 ...", mime="application/pdf", file_name="nf.pdf")
    proto = await sent_one(connected, OutgoingMessage(message_id="X", text="nota fiscal", media=media))

    assert client.uploads == [(b"%PDF-1.4 ...", MediaType.MediaDocument)]
    document = proto.documentMessage
    assert (document.fileName, document.mimetype, document.caption) == ("nf.pdf", "application/pdf", "nota fiscal")
    assert document.fileLength == len(b"%PDF-1.4 ...")


async def test_voice_note_is_push_to_talk_audio(connected: Connected) -> None:
    _, client = connected
    media = OutgoingMedia(kind=MediaKind.VOICE, data=b"OggS...", mime="audio/ogg; codecs=opus")
    proto = await sent_one(connected, OutgoingMessage(message_id="X", media=media))

    assert client.uploads == [(b"OggS...", MediaType.MediaAudio)]
    assert proto.audioMessage.PTT is True
    assert proto.audioMessage.mimetype == "audio/ogg; codecs=opus"


async def test_a_voice_notes_duration_is_shown_before_it_is_played(connected: Connected) -> None:
    media = OutgoingMedia(kind=MediaKind.VOICE, data=b"OggS...", mime="audio/ogg; codecs=opus", seconds=12)
    proto = await sent_one(connected, OutgoingMessage(message_id="X", media=media))

    assert (proto.audioMessage.PTT, proto.audioMessage.seconds) == (True, 12)


async def test_a_forwarded_text_or_file_carries_the_forwarded_mark(connected: Connected) -> None:
    engine, client = connected
    media = OutgoingMedia(kind=MediaKind.DOCUMENT, data=b"%PDF-1.4", mime="application/pdf", file_name="a.pdf")
    await engine.send(CUSTOMER_CHAT, OutgoingMessage(message_id="X", text="catálogo", forwarded=True))
    await engine.send(CUSTOMER_CHAT, OutgoingMessage(message_id="Y", media=media, forwarded=True))

    [(_, text), (_, document)] = client.sent
    for context in (text.extendedTextMessage.contextInfo, document.documentMessage.contextInfo):
        assert (context.isForwarded, context.forwardingScore) == (True, 1)
    assert text.extendedTextMessage.text == "catálogo"


async def test_an_edit_replaces_our_messages_text_by_its_id(connected: Connected) -> None:
    engine, client = connected
    await engine.edit(CUSTOMER_CHAT, "3EB0OURS", "texto corrigido")

    [(_, proto)] = client.sent
    protocol = proto.protocolMessage
    assert (protocol.type, protocol.key.ID, protocol.key.fromMe) == (protocol.MESSAGE_EDIT, "3EB0OURS", True)
    assert protocol.key.remoteJID == f"{CUSTOMER}@s.whatsapp.net"
    assert protocol.editedMessage.conversation == "texto corrigido"


async def test_a_delete_for_everyone_revokes_our_message_by_its_id(connected: Connected) -> None:
    engine, client = connected
    await engine.revoke(CUSTOMER_CHAT, "3EB0OURS")

    [(_, proto)] = client.sent
    assert (proto.protocolMessage.type, proto.protocolMessage.key.ID) == (proto.protocolMessage.REVOKE, "3EB0OURS")


async def test_video_is_sent_from_bytes(connected: Connected) -> None:
    media = OutgoingMedia(kind=MediaKind.VIDEO, data=b"\x00\x00\x00\x18ftypmp42", mime="video/mp4")
    proto = await sent_one(connected, OutgoingMessage(message_id="X", text="tutorial", media=media))

    assert (proto.videoMessage.mimetype, proto.videoMessage.caption) == ("video/mp4", "tutorial")


async def test_reaction_targets_the_message(connected: Connected) -> None:
    engine, client = connected
    await engine.react(CUSTOMER_CHAT, "CUSTOMER_MSG1", "❤️", target_from_me=False)

    [(_, proto)] = client.sent
    reaction = proto.reactionMessage
    assert (reaction.key.remoteJID, reaction.key.fromMe, reaction.key.ID) == (
        f"{CUSTOMER}@s.whatsapp.net",
        False,
        "CUSTOMER_MSG1",
    )
    assert reaction.text == "❤️"
    assert reaction.senderTimestampMS > 1_700_000_000_000  # milliseconds


async def test_a_reaction_in_a_group_names_the_author_of_the_message(connected: Connected) -> None:
    engine, client = connected
    group = Chat(address=f"{GROUP}@g.us", is_group=True)
    await engine.react(group, "MEMBER_MSG1", "👍", target_from_me=False, target_sender=f"{CUSTOMER_LID}@lid")
    await engine.react(group, "OUR_MSG1", "🙏", target_from_me=True)

    by_member, by_us = (proto.reactionMessage.key for _, proto in client.sent)
    assert (by_member.remoteJID, by_member.ID, by_member.fromMe) == (f"{GROUP}@g.us", "MEMBER_MSG1", False)
    assert by_member.participant == f"{CUSTOMER_LID}@lid"  # whatsmeow's BuildMessageKey does the same
    assert by_us.fromMe and not by_us.HasField("participant")


async def test_mark_read_in_a_group_names_the_author_of_the_messages(connected: Connected) -> None:
    engine, client = connected
    group = Chat(address=f"{GROUP}@g.us", is_group=True)
    await engine.mark_read(group, ["G1", "G2"], sender=CUSTOMER)
    await engine.mark_read(group, ["G3"], sender=f"{CUSTOMER_LID}@lid")

    (first_ids, chat, by_phone, _), (_, _, by_lid, _) = client.read
    assert first_ids == ("G1", "G2") and (chat.User, chat.Server) == (GROUP, "g.us")
    assert (by_phone.User, by_phone.Server) == (CUSTOMER, "s.whatsapp.net")
    assert (by_lid.User, by_lid.Server) == (CUSTOMER_LID, "lid")
    assert all(by_lid.HasField(name) for name in JID_FIELDS)


async def test_a_reply_in_a_group_quotes_a_lid_only_member_by_lid(connected: Connected) -> None:
    group = Chat(address=f"{GROUP}@g.us", is_group=True)
    quoted = QuotedMessage(external_id="MEMBER_MSG1", sender_phone=f"{CUSTOMER_LID}@lid", text="alguém aí?")
    proto = await sent_one(connected, OutgoingMessage(message_id="X", text="sim", quoted=quoted), chat=group)

    context = proto.extendedTextMessage.contextInfo
    assert (context.stanzaID, context.participant) == ("MEMBER_MSG1", f"{CUSTOMER_LID}@lid")


async def test_group_chats_are_addressed_by_their_group_id(connected: Connected) -> None:
    engine, client = connected
    await engine.send(Chat(address=f"{GROUP}@g.us", is_group=True), OutgoingMessage(message_id="X", text="oi"))

    [(to, _)] = client.sent
    assert (to.User, to.Server) == (GROUP, "g.us")


async def test_sending_while_reconnecting_is_not_connected(connected: Connected) -> None:
    from neonize.proto.Neonize_pb2 import Disconnected as DisconnectedEv

    engine, client = connected
    await client.deliver(DisconnectedEv(status=True))
    await engine.wait_idle()

    with pytest.raises(NotConnected):
        await engine.send(CUSTOMER_CHAT, OutgoingMessage(message_id="X", text="oi"))
    assert client.sent == []


async def test_a_failed_send_is_a_retryable_engine_error(connected: Connected) -> None:
    engine, client = connected

    async def refuse(to: object, message: object) -> object:
        raise RuntimeError("server returned error 479")

    client.send_message = refuse  # type: ignore[assignment,method-assign]
    with pytest.raises(EngineError) as raised:
        await engine.send(CUSTOMER_CHAT, OutgoingMessage(message_id="X", text="oi"))

    assert raised.value.retryable and "479" in str(raised.value)


async def test_mark_read_sends_read_receipts_with_a_complete_empty_sender(connected: Connected) -> None:
    engine, client = connected
    await engine.mark_read(CUSTOMER_CHAT, ["M1", "M2"])

    [(ids, chat, sender, receipt)] = client.read
    assert ids == ("M1", "M2") and receipt is ReceiptType.READ
    assert (chat.User, chat.Server) == (CUSTOMER, "s.whatsapp.net")
    assert all(sender.HasField(name) for name in JID_FIELDS) and sender.IsEmpty


async def test_typing_composes_and_pauses(connected: Connected) -> None:
    engine, client = connected
    await engine.set_typing(CUSTOMER_CHAT, True)
    await engine.set_typing(CUSTOMER_CHAT, False)

    assert [state for _, state, _ in client.presences] == [
        ChatPresence.CHAT_PRESENCE_COMPOSING,
        ChatPresence.CHAT_PRESENCE_PAUSED,
    ]


def test_new_message_ids_look_like_whatsmeows(connected: Connected) -> None:
    engine, _ = connected
    ids = {engine.new_message_id() for _ in range(100)}

    assert len(ids) == 100
    assert all(re.fullmatch(r"3EB0[0-9A-F]{18}", message_id) for message_id in ids)
