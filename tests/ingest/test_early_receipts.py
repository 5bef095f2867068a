"""Receipts for ids no message has yet are kept a while, then forgotten; a bounded number of them."""

from __future__ import annotations

from datetime import UTC, datetime

from zapdesk.engine.events import Chat, Receipt, ReceiptKind
from zapdesk.ingest.early_receipts import EarlyReceipts

MOMENT = datetime(2026, 12, 3, 12, tzinfo=UTC)


def receipt(kind: ReceiptKind, *ids: str) -> Receipt:
    return Receipt(chat=Chat("5511988887777"), external_ids=ids, kind=kind, timestamp=MOMENT)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_each_unknown_id_is_taken_once_with_every_receipt_that_named_it_in_order() -> None:
    early = EarlyReceipts()
    early.keep(7, receipt(ReceiptKind.DELIVERED, "A", "KNOWN", "B"), ["A", "B"])
    early.keep(7, receipt(ReceiptKind.READ, "A"), ["A"])

    assert [(r.kind, r.external_ids) for r in early.take(7, "A")] == [
        (ReceiptKind.DELIVERED, ("A",)),
        (ReceiptKind.READ, ("A",)),
    ]
    assert early.take(7, "A") == []
    assert early.take(8, "B") == []  # another connection's message of the same id is not this one
    assert [r.external_ids for r in early.take(7, "B")] == [("B",)]


def test_kept_receipts_are_forgotten_after_a_while() -> None:
    clock = Clock()
    early = EarlyReceipts(keep_seconds=60, clock=clock)
    early.keep(7, receipt(ReceiptKind.DELIVERED, "OLD"), ["OLD"])
    clock.now = 30
    early.keep(7, receipt(ReceiptKind.DELIVERED, "NEW"), ["NEW"])
    clock.now = 61

    assert early.take(7, "OLD") == []
    assert len(early.take(7, "NEW")) == 1


def test_no_more_than_the_bound_are_kept_the_oldest_going_first() -> None:
    early = EarlyReceipts(max_kept=2)
    for external_id in ("A", "B", "C"):
        early.keep(7, receipt(ReceiptKind.DELIVERED, external_id), [external_id])

    assert [early.take(7, external_id) != [] for external_id in ("A", "B", "C")] == [False, True, True]
