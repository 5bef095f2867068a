"""Receipts that arrive before the message they name is known by that id.

neonize cannot send with an id we chose: the id WhatsApp uses is stored only once the send returns, and a
delivered (even read) receipt may come first. Such receipts are kept a while, per connection, and applied when
the send's id is stored (`worker.pipeline` wires the outbox to them)."""

from __future__ import annotations

import dataclasses
import time
from collections import OrderedDict
from collections.abc import Callable, Collection

from zapdesk.engine.events import Receipt

# Long enough for a send that timed out to return after all; bounded, since receipts for messages we never
# stored (sent from another linked device, say) would otherwise pile up.
KEEP_SECONDS = 600.0
MAX_KEPT = 10_000


class EarlyReceipts:
    def __init__(
        self,
        *,
        keep_seconds: float = KEEP_SECONDS,
        max_kept: int = MAX_KEPT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._keep_seconds = keep_seconds
        self._max_kept = max_kept
        self._clock = clock
        # (connection id, message id) -> receipts naming it, with when they were kept; oldest first.
        self._kept: OrderedDict[tuple[int, str], list[tuple[float, Receipt]]] = OrderedDict()

    def keep(self, connection_id: int, receipt: Receipt, unknown_ids: Collection[str]) -> None:
        """Keep what `receipt` says about `unknown_ids`, ids no stored message of the connection has yet."""
        now = self._clock()
        for external_id in unknown_ids:
            narrowed = dataclasses.replace(receipt, external_ids=(external_id,))
            self._kept.setdefault((connection_id, external_id), []).append((now, narrowed))
            self._kept.move_to_end((connection_id, external_id))
        self._forget_old(now)

    def take(self, connection_id: int, external_id: str) -> list[Receipt]:
        """The receipts kept for a message now known by `external_id` (forgotten here), oldest first."""
        self._forget_old(self._clock())
        return [receipt for _, receipt in self._kept.pop((connection_id, external_id), [])]

    def _forget_old(self, now: float) -> None:
        while self._kept:
            key, receipts = next(iter(self._kept.items()))
            if len(self._kept) <= self._max_kept and now - receipts[-1][0] < self._keep_seconds:
                return
            del self._kept[key]
