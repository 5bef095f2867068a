"""`zapdesk run`: what its engine worker subprocess counts reaches the server's /metrics over their channel."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.system.harness import Api, Server, Simulator, eventually, link_connection

pytestmark = pytest.mark.processes

BUSINESS = "5511999990001"
CUSTOMER = "5511988887777"


def unlabelled(text: str) -> dict[str, float]:
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if not sample.labels
    }


async def test_the_embedded_workers_counts_and_latencies_reach_the_servers_metrics(tmp_path: Path) -> None:
    server = Server(f"sqlite:///{tmp_path / 'zapdesk.db'}", tmp_path / "data", extra_env={"METRICS_TOKEN": "scrape"})
    await server.start()
    api = await Api(server.url).login()
    simulator = Simulator(f"{server.url}/simulator")
    try:
        await link_connection(api, simulator, "Vendas", BUSINESS)
        await simulator.customer_writes(CUSTOMER, BUSINESS, "Olá")

        async def ticket() -> list[dict[str, object]] | None:
            return (await api.get("/api/tickets"))["items"] or None

        (first,) = await eventually(ticket, what="a ticket")
        await api.post(f"/api/tickets/{first['id']}/messages", {"body": "Oi!", "client_id": "m1"})

        async def counted() -> dict[str, float] | None:
            response = await api.client.get("/metrics", headers={"Authorization": "Bearer scrape"})
            values = unlabelled(response.text)
            done = values["zapdesk_messages_received_total"] == 1 and values["zapdesk_messages_sent_total"] == 1
            return values if done else None

        values = await eventually(counted, timeout=20, what="the worker's counts on /metrics")
        assert values["zapdesk_ingest_seconds_count"] == 1
        assert 0 < values["zapdesk_ingest_seconds_sum"] < 10
        assert values["zapdesk_send_failures_total"] == 0
        assert (await api.client.get("/metrics")).status_code == 401  # the token is required when set
    finally:
        await api.close()
        await simulator.close()
        server.kill()
