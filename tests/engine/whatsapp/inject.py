"""The engine program's protocol events for neonize-shaped test events: what zapdesk-wa sends for the message or
receipt whatsmeow gave it (the inverse of `engine.whatsapp.wire`), so the neonize tests' events can be injected."""

from __future__ import annotations

from neonize.proto.Neonize_pb2 import JID, MessageSource
from neonize.proto.Neonize_pb2 import Message as MessageEv
from neonize.proto.Neonize_pb2 import Receipt as ReceiptEv

from zapdesk.engine.neonize import convert
from zapdesk.engine.whatsapp import wire
from zapdesk.engine.whatsapp.protocol import zapdesk_engine_pb2 as pb

_RECEIPT_TYPE_NAMES = {kind: name for name, kind in wire.RECEIPT_TYPES.items()}


def jid_str(value: JID) -> str:
    return convert.jid_to_str(value) if value.User else ""


def proto_source(source: MessageSource) -> pb.MessageSource:
    return pb.MessageSource(
        chat=jid_str(source.Chat),
        sender=jid_str(source.Sender),
        is_from_me=source.IsFromMe,
        is_group=source.IsGroup,
        sender_alt=jid_str(source.SenderAlt),
        recipient_alt=jid_str(source.RecipientAlt),
    )


def message_event(message: MessageEv) -> pb.Event:
    return pb.Event(
        message=pb.MessageEvent(
            source=proto_source(message.Info.MessageSource),
            id=message.Info.ID,
            push_name=message.Info.Pushname,
            timestamp_ms=message.Info.Timestamp,
            type=message.Info.Type,
            edit=message.Info.Edit,
            message=message.Message.SerializeToString(),
            is_edit=message.IsEdit,
        )
    )


def receipt_event(receipt: ReceiptEv) -> pb.Event:
    return pb.Event(
        receipt=pb.ReceiptEvent(
            source=proto_source(receipt.MessageSource),
            message_ids=list(receipt.MessageIDs),
            timestamp=receipt.Timestamp,
            type=_RECEIPT_TYPE_NAMES[receipt.Type],
        )
    )
