"""Counts observed in a worker, as one flat set of named numbers that adds up across processes.

The same flat fields travel over an embedded worker's channel (JSON) and live in the Redis hash scale-out
workers increment, so one format serves both ways of getting a worker's counts to the API processes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Counter(StrEnum):
    # Customers' messages stored for the first time (a redelivered duplicate is not counted), after commit.
    MESSAGES_RECEIVED = "messages_received"
    # Outbound messages WhatsApp (the engine) accepted.
    MESSAGES_SENT = "messages_sent"
    # Send attempts that failed, each retry counted.
    SEND_FAILURES = "send_failures"
    # Outbound messages given up on: they are `failed` and wait for a person.
    MESSAGES_FAILED = "messages_failed"


# Seconds from a worker's receipt of a message to its committed row (see `zapdesk.worker.runner.handle`).
INGEST_BUCKETS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

_COUNTER = "counter:"
_BUCKET = "ingest:bucket:"
_SUM = "ingest:sum"


def _empty_buckets() -> list[int]:
    # One slot per bound, plus the overflow slot (+Inf).
    return [0] * (len(INGEST_BUCKETS) + 1)


@dataclass
class Tally:
    counters: dict[Counter, int] = field(default_factory=dict)
    ingest_buckets: list[int] = field(default_factory=_empty_buckets)  # per slot, not cumulative
    ingest_sum: float = 0.0

    @property
    def ingest_count(self) -> int:
        return sum(self.ingest_buckets)

    def is_empty(self) -> bool:
        return not any(self.counters.values()) and self.ingest_count == 0

    def count(self, counter: Counter, amount: int = 1) -> None:
        self.counters[counter] = self.counters.get(counter, 0) + amount

    def observe_ingest(self, seconds: float) -> None:
        slot = next((index for index, bound in enumerate(INGEST_BUCKETS) if seconds <= bound), len(INGEST_BUCKETS))
        self.ingest_buckets[slot] += 1
        self.ingest_sum += seconds

    def merge(self, other: Tally) -> None:
        for counter, amount in other.counters.items():
            self.count(counter, amount)
        for slot, amount in enumerate(other.ingest_buckets):
            self.ingest_buckets[slot] += amount
        self.ingest_sum += other.ingest_sum

    def cumulative_buckets(self) -> list[tuple[str, int]]:
        """Prometheus's `le` buckets: each counts every observation at or below its bound."""
        bounds = [*(f"{bound:g}" for bound in INGEST_BUCKETS), "+Inf"]
        running, result = 0, []
        for bound, amount in zip(bounds, self.ingest_buckets, strict=True):
            running += amount
            result.append((bound, running))
        return result

    def to_fields(self) -> dict[str, int | float]:
        """Only the non-zero fields: what a worker adds since its last flush."""
        fields: dict[str, int | float] = {f"{_COUNTER}{c.value}": n for c, n in self.counters.items() if n}
        fields.update({f"{_BUCKET}{slot}": n for slot, n in enumerate(self.ingest_buckets) if n})
        if self.ingest_sum:
            fields[_SUM] = self.ingest_sum
        return fields

    @classmethod
    def from_fields(cls, fields: Mapping[str | bytes, str | bytes | int | float]) -> Tally:
        """Read fields (from JSON or a Redis hash); unknown names are skipped, so versions can differ."""
        tally = cls()
        known = {c.value: c for c in Counter}
        for raw_name, raw_value in fields.items():
            name = raw_name.decode() if isinstance(raw_name, bytes) else raw_name
            value = float(raw_value.decode() if isinstance(raw_value, bytes) else raw_value)
            if name.startswith(_COUNTER) and name[len(_COUNTER) :] in known:
                tally.count(known[name[len(_COUNTER) :]], int(value))
            elif name.startswith(_BUCKET) and name[len(_BUCKET) :].isdigit():
                slot = int(name[len(_BUCKET) :])
                if slot < len(tally.ingest_buckets):
                    tally.ingest_buckets[slot] += int(value)
            elif name == _SUM:
                tally.ingest_sum += value
        return tally
