"""The Prometheus text for one scrape, from the workers' totals and what the database says right now."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from zapdesk.connections.models import ConnectionStatus
from zapdesk.metrics.overview import ConnectionState
from zapdesk.metrics.tally import Counter, Tally

_COUNTER_HELP = {
    Counter.MESSAGES_RECEIVED: "Customers' messages stored (each once, redeliveries excluded).",
    Counter.MESSAGES_SENT: "Outbound messages WhatsApp accepted.",
    Counter.SEND_FAILURES: "Failed send attempts (each retry counted).",
    Counter.MESSAGES_FAILED: "Outbound messages given up on after their retries (status failed).",
}


@dataclass
class Scrape:
    tally: Tally = field(default_factory=Tally)
    counts_up: bool = True  # the workers' totals could be read (Redis answered, when it holds them)
    database_up: bool = True
    connections: list[ConnectionState] = field(default_factory=list)
    pending_sends: dict[int, int] = field(default_factory=dict)


def render(scrape: Scrape) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Families(list(_families(scrape))))
    return generate_latest(registry)


class _Families(Collector):
    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterable[Metric]:
        return self.families


def _families(scrape: Scrape) -> Iterator[Metric]:
    tally = scrape.tally
    for counter in Counter:
        family = CounterMetricFamily(f"zapdesk_{counter.value}", _COUNTER_HELP[counter])
        family.add_metric([], tally.counters.get(counter, 0))
        yield family
    yield HistogramMetricFamily(
        "zapdesk_ingest_seconds",
        "Seconds from a worker's receipt of a message from the engine to its row committed and its events handed on.",
        buckets=tally.cumulative_buckets(),
        sum_value=tally.ingest_sum,
    )
    yield _gauge(
        "zapdesk_worker_counts_up", "1 if the workers' counts could be read for this scrape.", scrape.counts_up
    )
    yield _gauge("zapdesk_database_up", "1 if the database answered this scrape.", scrape.database_up)
    if not scrape.database_up:
        return
    by_status = GaugeMetricFamily("zapdesk_connections", "Connections in each state.", labels=["status"])
    for status in ConnectionStatus:
        by_status.add_metric([status.value], sum(1 for c in scrape.connections if c.status == status))
    yield by_status
    up = GaugeMetricFamily(
        "zapdesk_connection_up", "1 if the connection is CONNECTED.", labels=["connection_id", "name"]
    )
    pending = GaugeMetricFamily(
        "zapdesk_pending_sends", "Outbound messages waiting to be sent (queue depth).", labels=["connection_id"]
    )
    for connection in scrape.connections:
        up.add_metric([str(connection.id), connection.name], connection.status == ConnectionStatus.CONNECTED)
        pending.add_metric([str(connection.id)], scrape.pending_sends.get(connection.id, 0))
    yield up
    yield pending


def _gauge(name: str, documentation: str, value: bool) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=1 if value else 0)
