"""Hand-built neonize events, complete the way its Go side sends them (goneonize's utils/encoder.go): neonize's
proto marks every field `required`, and an absent address is an empty JID, not a missing one."""

from __future__ import annotations

from google.protobuf.message import Message as ProtoMessage
from neonize.proto.Neonize_pb2 import JID, Device, MessageInfo, MessageSource
from neonize.proto.Neonize_pb2 import Message as MessageEv
from neonize.proto.Neonize_pb2 import Receipt as ReceiptEv
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message

BUSINESS = "5511900001111"  # our own number, linked as device 12
CUSTOMER = "5511988887777"
CUSTOMER_LID = "123456789012345"
GROUP = "120363041234567890"
MESSAGE_TIME_MS = 1_700_000_000_123  # MessageEv.Info.Timestamp is in milliseconds
RECEIPT_TIME_S = 1_700_000_050  # receipts (and send responses) are in seconds


def jid(user: str = "", server: str = "s.whatsapp.net", device: int = 0) -> JID:
    empty = not user
    return JID(User=user, Server="" if empty else server, Device=device, RawAgent=0, Integrator=0, IsEmpty=empty)


def complete(event: ProtoMessage) -> ProtoMessage:
    assert event.IsInitialized(), event.FindInitializationErrors()
    return event


def own_device() -> Device:
    device = Device(
        JID=jid(BUSINESS, device=12),
        LID=jid("99999", "lid", 12),
        Platform="android",
        BussinessName="",
        PushName="Loja",
        Initialized=True,
    )
    return complete(device)


def source(
    chat: JID, sender: JID, *, from_me: bool = False, sender_alt: JID | None = None, recipient_alt: JID | None = None
) -> MessageSource:
    return MessageSource(
        Chat=chat,
        Sender=sender,
        IsFromMe=from_me,
        IsGroup=chat.Server == "g.us",
        SenderAlt=sender_alt or jid(),
        RecipientAlt=recipient_alt or jid(),
        BroadcastListOwner=jid(),
    )


def message_event(
    message: Message,
    *,
    message_id: str = "3A0000000000000001",
    chat: JID | None = None,
    sender: JID | None = None,
    sender_alt: JID | None = None,
    recipient_alt: JID | None = None,
    from_me: bool = False,
    push_name: str = "Ana",
    timestamp_ms: int = MESSAGE_TIME_MS,
) -> MessageEv:
    chat = chat or jid(CUSTOMER)
    sender = sender or (jid(BUSINESS) if from_me else chat)
    info = MessageInfo(
        MessageSource=source(chat, sender, from_me=from_me, sender_alt=sender_alt, recipient_alt=recipient_alt),
        ID=message_id,
        ServerID=0,
        Type="text",
        Pushname=push_name,
        Timestamp=timestamp_ms,
        Category="",
        Multicast=False,
        MediaType="",
        Edit="",
    )
    event = MessageEv(
        Info=info,
        Message=message,
        IsEphemeral=False,
        IsViewOnce=False,
        IsViewOnceV2=False,
        IsViewOnceV2Extension=False,
        IsDocumentWithCaption=False,
        IsLottieSticker=False,
        IsEdit=False,
        UnavailableRequestID="",
        RetryCount=0,
    )
    return complete(event)


def receipt_event(kind: int, message_ids: list[str], *, chat: JID | None = None) -> ReceiptEv:
    chat = chat or jid(CUSTOMER)
    event = ReceiptEv(MessageSource=source(chat, chat), MessageIDs=message_ids, Timestamp=RECEIPT_TIME_S, Type=kind)
    return complete(event)
