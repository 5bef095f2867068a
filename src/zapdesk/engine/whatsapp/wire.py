"""The engine program's events as the neonize protobufs `engine.neonize.convert` reads, so both engines share one
conversion: the content is whatsmeow's own `waE2E.Message`, parsed with the definitions neonize ships."""

from __future__ import annotations

import os
import sys

# Only neonize's protobuf definitions are wanted here. Importing them runs neonize's package, which loads its Go
# library (and its own copy of whatsmeow) unless SPHINX is set: a worker on our engine program never needs that.
if "neonize" not in sys.modules:
    os.environ.setdefault("SPHINX", "1")

from neonize.proto.Neonize_pb2 import JID, MessageInfo, MessageSource
from neonize.proto.Neonize_pb2 import Message as MessageEv
from neonize.proto.Neonize_pb2 import Receipt as ReceiptEv
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message

from zapdesk.engine.neonize import convert
from zapdesk.engine.whatsapp.protocol import zapdesk_engine_pb2 as pb

# whatsmeow's ReceiptType strings → neonize's enum ("" is a plain delivery receipt).
RECEIPT_TYPES = {
    "": ReceiptEv.DELIVERED,
    "sender": ReceiptEv.SENDER,
    "retry": ReceiptEv.RETRY,
    "read": ReceiptEv.READ,
    "read-self": ReceiptEv.READ_SELF,
    "played": ReceiptEv.PLAYED,
    "played-self": ReceiptEv.PLAYED_SELF,
    "server-error": ReceiptEv.SERVER_ERROR,
    "inactive": ReceiptEv.INACTIVE,
    "peer_msg": ReceiptEv.PEER_MSG,
    "hist_sync": ReceiptEv.HISTORY_SYNC,
}


def jid(value: str) -> JID:
    """whatsmeow's `JID.String()` back as a JID; "" is the empty JID, a bare server a JID without user."""
    if not value:
        return convert.EMPTY_JID
    if "@" not in value:
        return convert.make_jid("", value)
    return convert.parse_jid(value)


def message_source(source: pb.MessageSource) -> MessageSource:
    return MessageSource(
        Chat=jid(source.chat),
        Sender=jid(source.sender),
        IsFromMe=source.is_from_me,
        IsGroup=source.is_group,
        SenderAlt=jid(source.sender_alt),
        RecipientAlt=jid(source.recipient_alt),
        BroadcastListOwner=convert.EMPTY_JID,
    )


def message_ev(event: pb.MessageEvent) -> MessageEv:
    info = MessageInfo(
        MessageSource=message_source(event.source),
        ID=event.id,
        ServerID=0,
        Type=event.type,
        Pushname=event.push_name,
        Timestamp=event.timestamp_ms,
        Category="",
        Multicast=False,
        MediaType="",
        Edit=event.edit,
    )
    return MessageEv(
        Info=info,
        Message=Message.FromString(event.message),
        IsEphemeral=event.is_ephemeral,
        IsViewOnce=event.is_view_once,
        IsViewOnceV2=False,
        IsViewOnceV2Extension=False,
        IsDocumentWithCaption=False,
        IsLottieSticker=False,
        IsEdit=event.is_edit,
        UnavailableRequestID="",
        RetryCount=0,
    )


def receipt_ev(event: pb.ReceiptEvent) -> ReceiptEv | None:
    """None for a receipt type this neonize does not know (nothing zapdesk tracks)."""
    kind = RECEIPT_TYPES.get(event.type)
    if kind is None:
        return None
    return ReceiptEv(
        MessageSource=message_source(event.source),
        MessageIDs=list(event.message_ids),
        Timestamp=event.timestamp,
        Type=kind,
    )
