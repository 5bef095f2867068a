"""Pure conversions between neonize's protobufs and our normalized events and outgoing messages.

No I/O here: LID lookups and media downloads happen in the adapter, which passes in what it learned. Timestamps:
`MessageEv.Info.Timestamp` is in milliseconds; receipts, send responses and bans are in seconds.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections import ChainMap
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from datetime import UTC, datetime, timedelta
from typing import cast

from google.protobuf.message import DecodeError
from google.protobuf.message import Message as ProtoMessage
from neonize.proto.Neonize_pb2 import JID, ConnectFailureReason, Device, MessageSource, SendResponse, UploadResponse
from neonize.proto.Neonize_pb2 import ConnectFailure as ConnectFailureEv
from neonize.proto.Neonize_pb2 import KeepAliveTimeout as KeepAliveTimeoutEv
from neonize.proto.Neonize_pb2 import LoggedOut as LoggedOutEv
from neonize.proto.Neonize_pb2 import Message as MessageEv
from neonize.proto.Neonize_pb2 import Receipt as ReceiptEv
from neonize.proto.Neonize_pb2 import TemporaryBan as TemporaryBanEv
from neonize.proto.waCommon.WACommon_pb2 import MessageKey
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import (
    AudioMessage,
    ContextInfo,
    DocumentMessage,
    ExtendedTextMessage,
    ImageMessage,
    Message,
    MessageAssociation,
    ProtocolMessage,
    ReactionMessage,
    StickerMessage,
    VideoMessage,
)
from neonize.utils.enum import MediaType

from zapdesk.engine.base import EngineError
from zapdesk.engine.events import (
    Association,
    AssociationKind,
    Chat,
    ContactCardContent,
    Content,
    EngineState,
    LocationContent,
    MediaContent,
    MediaKind,
    MessageEdited,
    MessageReceived,
    MessageRevoked,
    OutgoingMedia,
    QuotedMessage,
    ReactionContent,
    Receipt,
    ReceiptKind,
    Sender,
    SendResult,
    StateChanged,
    TextContent,
    UnsupportedContent,
    group_address,
    lid_address,
)
from zapdesk.kit.phones import InvalidPhone, normalize_phone

PHONE_SERVERS = frozenset({"s.whatsapp.net", "c.us", "hosted"})
LID_SERVERS = frozenset({"lid", "hosted.lid"})
GROUP_SERVER = "g.us"
PERSON_SERVER = "s.whatsapp.net"

# Containers whatsmeow normally unwraps already; unwrapping again costs nothing and keeps us correct if it didn't.
_WRAPPERS = (
    "deviceSentMessage",
    "ephemeralMessage",
    "viewOnceMessage",
    "viewOnceMessageV2",
    "viewOnceMessageV2Extension",
    "documentWithCaptionMessage",
    "editedMessage",
    "botInvokeMessage",
    "lottieStickerMessage",
    # whatsmeow leaves this one wrapped: HD copies and (in some builds) album items arrive inside it.
    "associatedChildMessage",
)
# Protocol plumbing that rides along with (or instead of) content: never shown to anyone.
_PLUMBING = frozenset(
    {
        "senderKeyDistributionMessage",
        "fastRatchetKeySenderKeyDistributionMessage",
        "messageContextInfo",
        "protocolMessage",
        "keepInChatMessage",
        "pinInChatMessage",
        # An album's opening message says only how many items follow; each item comes as a message of its own.
        "albumMessage",
    }
)
_ASSOCIATIONS = {
    MessageAssociation.HD_IMAGE_DUAL_UPLOAD: AssociationKind.BETTER_COPY,
    MessageAssociation.HD_VIDEO_DUAL_UPLOAD: AssociationKind.BETTER_COPY,
    MessageAssociation.MEDIA_ALBUM: AssociationKind.ALBUM_ITEM,
}
# Copies browsers cannot play (HEVC video): the earlier copy stays, this one is not news.
_SKIPPED_ASSOCIATIONS = frozenset({MessageAssociation.HEVC_VIDEO_DUAL_UPLOAD})
_RECEIPT_KINDS = {
    ReceiptEv.DELIVERED: ReceiptKind.DELIVERED,
    ReceiptEv.READ: ReceiptKind.READ,
    ReceiptEv.PLAYED: ReceiptKind.PLAYED,
}
# whatsmeow reconnects by itself after these connect failures (HTTP-like 5xx from the server).
_AUTO_RECONNECT_FAILURES = frozenset({"service_unavailable", "internal_server_error"})

Incoming = MessageReceived | MessageEdited | MessageRevoked


# ---- time ----------------------------------------------------------------------------------------------------


def from_milliseconds(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, UTC) if value > 0 else datetime.now(UTC)


def from_seconds(value: int) -> datetime:
    return datetime.fromtimestamp(value, UTC) if value > 0 else datetime.now(UTC)


# ---- JIDs ----------------------------------------------------------------------------------------------------


def make_jid(user: str, server: str, *, device: int = 0, raw_agent: int = 0) -> JID:
    """A JID with every field set: neonize's proto marks them `required` (a partial JID will not serialize) and
    its Go side dereferences each one."""
    return JID(
        User=user,
        RawAgent=raw_agent,
        Device=device,
        Integrator=0,
        Server=server,
        IsEmpty=not user and not server,
    )


EMPTY_JID = make_jid("", "")


def jid_to_str(jid: JID) -> str:
    """whatsmeow's own `JID.String()`: `user.agent:device@server`."""
    if jid.RawAgent > 0:
        return f"{jid.User}.{jid.RawAgent}:{jid.Device}@{jid.Server}"
    if jid.Device > 0:
        return f"{jid.User}:{jid.Device}@{jid.Server}"
    if jid.User:
        return f"{jid.User}@{jid.Server}"
    return str(jid.Server)


def parse_jid(value: str) -> JID:
    """The inverse of `jid_to_str` (a device JID such as `5511999990000:12@s.whatsapp.net`)."""
    user, at, server = value.partition("@")
    if not at or not user or not server:
        raise ValueError(f"not a JID: {value!r}")
    user, _, device = user.partition(":")
    user, _, agent = user.partition(".")
    return make_jid(user, server, device=int(device or 0), raw_agent=int(agent or 0))


def chat_jid(chat: Chat) -> JID:
    """Where to send: a group id, a LID we could not resolve (`<lid>@lid`), or a phone number."""
    if "@" in chat.address:
        user, _, server = chat.address.partition("@")
        return make_jid(user, server)
    if chat.is_group:
        return make_jid(chat.address, GROUP_SERVER)
    return make_jid(_phone(chat.address), PERSON_SERVER)


def person_jid_str(address: str) -> str:
    """A person's address (`Sender.address`: international digits, or `<lid>@lid`) as a JID string."""
    return address if "@" in address else f"{_phone(address)}@{PERSON_SERVER}"


def _phone(address: str) -> str:
    try:
        return normalize_phone(address)
    except InvalidPhone as exc:
        raise EngineError(str(exc), retryable=False) from exc


def person_jid(address: str) -> JID:
    user, _, server = person_jid_str(address).partition("@")
    return make_jid(user, server)


def _is_phone(jid: JID) -> bool:
    return bool(jid.User) and jid.Server in PHONE_SERVERS


def _is_lid(jid: JID) -> bool:
    return bool(jid.User) and jid.Server in LID_SERVERS


def _has(message: ProtoMessage, field: str) -> bool:
    return bool(message.HasField(field))


# ---- who and where -------------------------------------------------------------------------------------------


def is_conversation(chat: JID) -> bool:
    """People and groups only: status@broadcast, broadcast lists, newsletters and the rest are not tickets."""
    return chat.Server in PHONE_SERVERS or chat.Server in LID_SERVERS or chat.Server == GROUP_SERVER


def learned_lids(source: MessageSource) -> dict[str, str]:
    """LID → phone pairs an event reveals (a sender with its alternate address), to remember for later events."""
    pairs: dict[str, str] = {}
    for jid, alt in ((source.Sender, source.SenderAlt), (source.Chat, source.RecipientAlt)):
        if _is_lid(jid) and _is_phone(alt):
            pairs[jid.User] = alt.User
        elif _is_phone(jid) and _is_lid(alt):
            pairs[alt.User] = jid.User
    return pairs


def with_learned_lids(source: MessageSource, known: Mapping[str, str]) -> Mapping[str, str]:
    """`known` LID → phone pairs and those this event reveals, without copying `known` (a session learns
    thousands, and every event asks)."""
    learned = learned_lids(source)
    # A ChainMap writes only to its first map (`learned`): `known` is only read.
    return ChainMap(learned, cast(MutableMapping[str, str], known)) if learned else known


def unresolved_lids(source: MessageSource, known: Mapping[str, str]) -> list[JID]:
    """LIDs in an event whose phone number `known` does not give: ask the LID store for these. `known` holds
    what the event itself reveals already (`learned_lids`, remembered first). Each LID once: in a chat with a
    person, the chat and the sender are the same."""
    unresolved = {jid.User: jid for jid in (source.Chat, source.Sender) if _is_lid(jid) and jid.User not in known}
    return list(unresolved.values())


async def learn_lid_phones(
    source: MessageSource, known: MutableMapping[str, str], phone_of: Callable[[JID], Awaitable[str | None]]
) -> None:
    """Remember in `known` the phone numbers behind the event's LIDs: those the event reveals, then for the rest
    what `phone_of` finds (a session's LID store, asked once per LID; None when it has no number)."""
    known.update(learned_lids(source))
    for lid in unresolved_lids(source, known):
        phone = await phone_of(lid)
        if phone:
            known[lid.User] = phone


def _identity(jid: JID, alt: JID, lid_phones: Mapping[str, str]) -> tuple[str | None, str | None]:
    """(phone, lid) of one party, from its address, its alternate address and what we learned before."""
    if _is_phone(jid):
        return jid.User, alt.User if _is_lid(alt) else None
    if _is_lid(jid):
        phone = alt.User if _is_phone(alt) else lid_phones.get(jid.User)
        return phone, jid.User
    return None, None


def _chat(source: MessageSource, lid_phones: Mapping[str, str], push_name: str | None) -> Chat:
    chat = source.Chat
    if chat.Server == GROUP_SERVER:
        return Chat(address=group_address(chat.User), is_group=True)
    if source.IsFromMe:
        alt = source.RecipientAlt
    elif source.Sender.User == chat.User and source.Sender.Server == chat.Server:
        alt = source.SenderAlt
    else:
        alt = EMPTY_JID
    phone, lid = _identity(chat, alt, lid_phones)
    address = phone or lid_address(lid or "")
    return Chat(address=address, name=None if source.IsFromMe else push_name)


def _sender(source: MessageSource, lid_phones: Mapping[str, str], push_name: str | None) -> Sender:
    phone, lid = _identity(source.Sender, source.SenderAlt, lid_phones)
    return Sender(phone=phone, lid=lid, push_name=push_name)


# ---- incoming messages ---------------------------------------------------------------------------------------


def unwrap(message: Message) -> Message:
    """The content inside ephemeral / view-once / device-sent / edited / associated-child containers."""
    return _unwrapped(message)[0]


def _unwrapped(message: Message) -> tuple[Message, MessageAssociation | None]:
    """The content, and the first `messageAssociation` met on the way in (on the outer message or inside its
    associated child: WhatsApp builds differ)."""
    association: MessageAssociation | None = None
    for _ in range(len(_WRAPPERS) + 1):
        if association is None and _has(message, "messageContextInfo"):
            context = message.messageContextInfo
            association = context.messageAssociation if _has(context, "messageAssociation") else None
        for wrapper in _WRAPPERS:
            if _has(message, wrapper) and _has(getattr(message, wrapper), "message"):
                message = getattr(message, wrapper).message
                break
        else:
            break
    return message, association


def _association(found: MessageAssociation | None) -> Association | None:
    if found is None or found.associationType not in _ASSOCIATIONS or not found.parentMessageKey.ID:
        return None
    index = found.messageIndex if _has(found, "messageIndex") else None
    return Association(_ASSOCIATIONS[found.associationType], found.parentMessageKey.ID, index)


def message_event(event: MessageEv, lid_phones: Mapping[str, str]) -> Incoming | None:
    """One `MessageEv` as our event; None for what is not a conversation (status, newsletters, plumbing).

    Media comes back with a `ref` to download it by, after the message is stored.
    """
    info = event.Info
    source = info.MessageSource
    if not is_conversation(source.Chat):
        return None
    push_name = info.Pushname or None
    phones = with_learned_lids(source, lid_phones)
    chat = _chat(source, phones, push_name)
    timestamp = from_milliseconds(info.Timestamp)
    message, association = _unwrapped(event.Message)
    if _has(message, "protocolMessage"):
        return _protocol_event(message.protocolMessage, chat, timestamp)
    if association is not None and association.associationType in _SKIPPED_ASSOCIATIONS:
        return None
    found = _content(message)
    if found is None:
        return None
    content, quoted_id = found
    return MessageReceived(
        external_id=info.ID,
        chat=chat,
        sender=_sender(source, phones, push_name),
        from_me=bool(source.IsFromMe),
        timestamp=timestamp,
        content=content,
        quoted_id=quoted_id,
        association=_association(association),
    )


def _protocol_event(protocol: ProtocolMessage, chat: Chat, timestamp: datetime) -> Incoming | None:
    target = protocol.key.ID
    if not target:
        return None
    if protocol.type == ProtocolMessage.REVOKE:
        return MessageRevoked(chat=chat, external_id=target, timestamp=timestamp)
    if protocol.type == ProtocolMessage.MESSAGE_EDIT:
        return MessageEdited(
            chat=chat, external_id=target, text=_text_of(unwrap(protocol.editedMessage)), timestamp=timestamp
        )
    return None  # history-sync notices, key shares, ephemeral settings: plumbing


def _text_of(message: Message) -> str:
    if _has(message, "conversation"):
        return str(message.conversation)
    if _has(message, "extendedTextMessage"):
        return str(message.extendedTextMessage.text)
    for field in ("imageMessage", "videoMessage", "documentMessage"):
        if _has(message, field):
            return str(getattr(message, field).caption)
    return ""


def _quoted_id(part: ProtoMessage) -> str | None:
    if _has(part, "contextInfo") and part.contextInfo.stanzaID:
        return str(part.contextInfo.stanzaID)
    return None


def _content(message: Message) -> tuple[Content, str | None] | None:
    if _has(message, "conversation"):
        return TextContent(text=message.conversation), None
    if _has(message, "extendedTextMessage"):
        part = message.extendedTextMessage
        return TextContent(text=part.text), _quoted_id(part)
    if _has(message, "imageMessage"):
        image = message.imageMessage
        return _media(MediaKind.IMAGE, "imageMessage", image, "image/jpeg", caption=image.caption), _quoted_id(image)
    if _has(message, "stickerMessage"):
        sticker = message.stickerMessage
        return _media(MediaKind.STICKER, "stickerMessage", sticker, "image/webp"), _quoted_id(sticker)
    if _has(message, "audioMessage"):
        audio = message.audioMessage
        kind = MediaKind.VOICE if audio.PTT else MediaKind.AUDIO
        return _media(kind, "audioMessage", audio, "audio/ogg", seconds=audio.seconds), _quoted_id(audio)
    for field, kind in (("videoMessage", MediaKind.VIDEO), ("ptvMessage", MediaKind.VIDEO_NOTE)):
        if _has(message, field):
            video = getattr(message, field)
            # Downloaded as the video it is: whatsmeow's DownloadAny does not look at `ptvMessage`.
            content = _media(kind, "videoMessage", video, "video/mp4", caption=video.caption, seconds=video.seconds)
            return content, _quoted_id(video)
    if _has(message, "documentMessage"):
        document = message.documentMessage
        content = _media(
            MediaKind.DOCUMENT,
            "documentMessage",
            document,
            "application/octet-stream",
            caption=document.caption,
            file_name=document.fileName or document.title or None,
        )
        return content, _quoted_id(document)
    if _has(message, "locationMessage"):
        place = message.locationMessage
        location = LocationContent(
            latitude=place.degreesLatitude,
            longitude=place.degreesLongitude,
            name=place.name or None,
            address=place.address or None,
        )
        return location, _quoted_id(place)
    if _has(message, "liveLocationMessage"):
        live = message.liveLocationMessage
        location = LocationContent(
            latitude=live.degreesLatitude, longitude=live.degreesLongitude, address=live.caption or None
        )
        return location, _quoted_id(live)
    if _has(message, "contactMessage"):
        card = message.contactMessage
        return ContactCardContent(display_name=card.displayName, vcard=card.vcard), _quoted_id(card)
    if _has(message, "contactsArrayMessage"):
        cards = message.contactsArrayMessage
        name = cards.displayName or ", ".join(card.displayName for card in cards.contacts)
        vcard = "\n".join(card.vcard for card in cards.contacts)
        return ContactCardContent(display_name=name, vcard=vcard), _quoted_id(cards)
    if _has(message, "reactionMessage"):
        reaction = message.reactionMessage
        return ReactionContent(target_id=reaction.key.ID, emoji=reaction.text), None
    for descriptor, _value in message.ListFields():
        if descriptor.name not in _PLUMBING:
            return UnsupportedContent(kind=descriptor.name), None
    return None


def _media(
    kind: MediaKind,
    field: str,
    part: ProtoMessage,
    default_mime: str,
    *,
    caption: str = "",
    file_name: str | None = None,
    seconds: int = 0,
) -> MediaContent:
    """The file of a message, to download after the message is stored: `ref` is what `media_to_download` needs."""
    return MediaContent(
        kind=kind,
        mime=part.mimetype or default_mime,
        data=None,
        file_name=file_name,
        caption=caption,
        size=part.fileLength or None,
        seconds=seconds or None,
        ref=media_ref(field, part),
    )


# What a download does not need, and would only make the stored reference larger.
_NOT_FOR_DOWNLOAD = ("JPEGThumbnail", "pngThumbnail", "contextInfo", "caption")


def media_ref(field: str, part: ProtoMessage) -> str:
    """The reference a received file is downloaded by later: the media part alone, under `field`, in a `Message`
    (base64). whatsmeow's `DownloadAny` picks the media keys by that field's type."""
    media = type(part)()
    media.CopyFrom(part)
    for name in _NOT_FOR_DOWNLOAD:
        if name in media.DESCRIPTOR.fields_by_name:
            media.ClearField(name)
    return base64.b64encode(Message(**{field: media}).SerializeToString()).decode()


def media_to_download(ref: str) -> Message:
    """The inverse of `media_ref`: what to hand `download_any`."""
    try:
        return Message.FromString(base64.b64decode(ref, validate=True))
    except (ValueError, DecodeError) as exc:
        raise ValueError(f"not a media reference: {ref[:40]!r}") from exc


# Download failures whatsmeow reports that no retry can mend: WhatsApp no longer has the file.
_GONE = ("status code 404", "status code 410", "didn't find any attachments", "unknown media type")


def download_error(error: Exception) -> EngineError:
    """What a failed `download_any` means for trying again."""
    text = str(error) or type(error).__name__
    return EngineError(f"download failed: {text}", retryable=not any(gone in text for gone in _GONE))


# ---- receipts ------------------------------------------------------------------------------------------------


def receipt_event(event: ReceiptEv, lid_phones: Mapping[str, str]) -> Receipt | None:
    """Delivered / read / played receipts of messages we sent; our own devices' receipts are not news.

    Every listed id counts: Android lists them newest-first, iOS oldest-first.
    """
    kind = _RECEIPT_KINDS.get(event.Type)
    source = event.MessageSource
    if kind is None or not is_conversation(source.Chat):
        return None
    ids = tuple(dict.fromkeys(message_id for message_id in event.MessageIDs if message_id))
    if not ids:
        return None
    chat = _chat(source, with_learned_lids(source, lid_phones), None)
    return Receipt(chat=chat, external_ids=ids, kind=kind, timestamp=from_seconds(event.Timestamp))


# ---- lifecycle -----------------------------------------------------------------------------------------------


# goneonize leaves a `required` field unset for values it has no name for (a "server-error" receipt, a new ban
# code or connect-failure reason); Go's proto.Marshal then fails, and that error ends the session's event pump.
_UNENCODABLE = re.compile(r"required field neonize\.(\w+)\.(\w+) not set")


def unencodable_event(error: str) -> str | None:
    """The kind of event goneonize could not encode (`Receipt`, `TemporaryBan`, …) when that is what ended a
    session; None for any other end."""
    found = _UNENCODABLE.search(error)
    return found.group(1) if found else None


def connected_state(me: Device) -> StateChanged:
    """CONNECTED, with what to resume with next time: our own device JID."""
    return StateChanged(state=EngineState.CONNECTED, phone=me.JID.User or None, session_ref=jid_to_str(me.JID))


def reconnecting_state(reason: str) -> StateChanged:
    return StateChanged(state=EngineState.RECONNECTING, reason=reason)


def keepalive_timeout_state(event: KeepAliveTimeoutEv) -> StateChanged:
    return reconnecting_state(f"keep-alive timeout ({event.ErrorCount} missed)")


def _failure_reason(event: LoggedOutEv | ConnectFailureEv, default: str) -> str:
    if not event.HasField("Reason"):
        return default
    return str(ConnectFailureReason.Name(event.Reason)).lower()


def logged_out_state(event: LoggedOutEv) -> StateChanged:
    when = " while connecting" if event.OnConnect else ""
    reason = _failure_reason(event, "logged_out")
    return StateChanged(state=EngineState.LOGGED_OUT, reason=f"unlinked from the phone{when} ({reason})")


def temporary_ban_state(event: TemporaryBanEv, now: datetime) -> StateChanged:
    code = TemporaryBanEv.TempBanReason.Name(event.Code).lower() if event.HasField("Code") else "unknown"
    return StateChanged(
        state=EngineState.BANNED, reason=f"temporarily banned ({code})", until=now + timedelta(seconds=event.Expire)
    )


def connect_failure_state(event: ConnectFailureEv) -> StateChanged:
    code = _failure_reason(event, "unknown")
    detail = f"{code}: {event.Message}" if event.Message else code
    if code in _AUTO_RECONNECT_FAILURES:
        return reconnecting_state(f"WhatsApp refused the connection for now ({detail})")
    return StateChanged(state=EngineState.FAILED, reason=f"WhatsApp refused the connection ({detail})")


# ---- outgoing ------------------------------------------------------------------------------------------------


def new_message_id() -> str:
    """The shape whatsmeow gives ids (`3EB0` + 18 upper-case hex digits)."""
    return "3EB0" + secrets.token_hex(9).upper()


def send_result(response: SendResponse) -> SendResult:
    return SendResult(external_id=response.ID, timestamp=from_seconds(response.Timestamp))


def quote_context(quoted: QuotedMessage, own_phone: str | None) -> ContextInfo:
    """A reply's reference: the quoted id, who wrote it (us when `sender_phone` is None) and its text."""
    author = quoted.sender_phone or own_phone
    context = ContextInfo(stanzaID=quoted.external_id, quotedMessage=Message(conversation=quoted.text))
    if author:
        context.participant = person_jid_str(author)
    return context


def message_context(quoted: QuotedMessage | None, own_phone: str | None, *, forwarded: bool) -> ContextInfo | None:
    """A reply's reference and/or the forwarded mark; None when the message has neither."""
    context = quote_context(quoted, own_phone) if quoted is not None else None
    if forwarded:
        context = context or ContextInfo()
        context.isForwarded = True
        context.forwardingScore = 1
    return context


def text_message(text: str, quoted: QuotedMessage | None, own_phone: str | None, *, forwarded: bool = False) -> Message:
    """Plain text as `conversation` (neonize's str helper would turn `@digits` into mentions)."""
    context = message_context(quoted, own_phone, forwarded=forwarded)
    if context is None:
        return Message(conversation=text)
    return Message(extendedTextMessage=ExtendedTextMessage(text=text, contextInfo=context))


def edit_message(chat: Chat, target_id: str, text: str, *, now: datetime) -> Message:
    """Our message `target_id` with a new text, as whatsmeow's `BuildEdit` makes it."""
    key = MessageKey(remoteJID=jid_to_str(chat_jid(chat)), fromMe=True, ID=target_id)
    protocol = ProtocolMessage(
        key=key,
        type=ProtocolMessage.MESSAGE_EDIT,
        editedMessage=Message(conversation=text),
        timestampMS=int(now.timestamp() * 1000),
    )
    return Message(protocolMessage=protocol)


def revoke_message(chat: Chat, target_id: str) -> Message:
    """Our message `target_id` deleted for everyone, as whatsmeow's `BuildRevoke` makes it."""
    key = MessageKey(remoteJID=jid_to_str(chat_jid(chat)), fromMe=True, ID=target_id)
    return Message(protocolMessage=ProtocolMessage(key=key, type=ProtocolMessage.REVOKE))


def upload_media_type(kind: MediaKind) -> MediaType:
    """Which media keys whatsmeow encrypts an upload with."""
    return {
        MediaKind.IMAGE: MediaType.MediaImage,
        MediaKind.STICKER: MediaType.MediaImage,
        MediaKind.VIDEO: MediaType.MediaVideo,
        MediaKind.VIDEO_NOTE: MediaType.MediaVideo,
        MediaKind.AUDIO: MediaType.MediaAudio,
        MediaKind.VOICE: MediaType.MediaAudio,
        MediaKind.DOCUMENT: MediaType.MediaDocument,
    }[kind]


def media_message(
    media: OutgoingMedia,
    caption: str,
    upload: UploadResponse,
    quoted: QuotedMessage | None,
    own_phone: str | None,
    *,
    forwarded: bool = False,
    thumbnail: bytes | None = None,
    width: int | None = None,
    height: int | None = None,
) -> Message:
    """An uploaded file as its WhatsApp message. No ffmpeg: durations and video thumbnails are left out."""
    common = {
        "URL": upload.url,
        "directPath": upload.DirectPath,
        "mediaKey": upload.MediaKey,
        "fileEncSHA256": upload.FileEncSHA256,
        "fileSHA256": upload.FileSHA256,
        "fileLength": upload.FileLength,
        "mimetype": media.mime,
    }
    context = message_context(quoted, own_phone, forwarded=forwarded)
    caption_or_none = caption or None
    if media.kind is MediaKind.IMAGE:
        image = ImageMessage(caption=caption_or_none, contextInfo=context, JPEGThumbnail=thumbnail, **common)
        if width and height:
            image.width, image.height = width, height
        return Message(imageMessage=image)
    if media.kind is MediaKind.STICKER:
        return Message(stickerMessage=StickerMessage(contextInfo=context, **common))
    if media.kind in (MediaKind.VIDEO, MediaKind.VIDEO_NOTE):
        return Message(videoMessage=VideoMessage(caption=caption_or_none, contextInfo=context, **common))
    if media.kind in (MediaKind.AUDIO, MediaKind.VOICE):
        audio = AudioMessage(PTT=media.kind is MediaKind.VOICE, contextInfo=context, **common)
        if media.seconds:
            audio.seconds = media.seconds
        return Message(audioMessage=audio)
    document = DocumentMessage(
        caption=caption_or_none, fileName=media.file_name, title=media.file_name, contextInfo=context, **common
    )
    return Message(documentMessage=document)


def reaction_message(
    chat: Chat, target_id: str, emoji: str, *, target_from_me: bool, target_sender: str | None, now: datetime
) -> Message:
    """A reaction (empty `emoji` removes it), keyed like whatsmeow's `BuildMessageKey`: in a group, someone else's
    message is also named by its author (`participant`), or WhatsApp cannot find it."""
    key = MessageKey(remoteJID=jid_to_str(chat_jid(chat)), fromMe=target_from_me, ID=target_id)
    if chat.is_group and not target_from_me and target_sender:
        key.participant = person_jid_str(target_sender)
    return Message(reactionMessage=ReactionMessage(key=key, text=emoji, senderTimestampMS=int(now.timestamp() * 1000)))
