"""Two API processes and a standalone worker: whatever happens through one API process, or in the worker,
reaches a browser connected to another API process."""

from __future__ import annotations

import time
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.scaleout.cluster import Cluster
from tests.system.harness import Api, Inbox, eventually, link_connection

pytestmark = pytest.mark.processes

BUSINESS = "5511999990001"
CUSTOMER = "5511988887777"


def counter(metrics_text: str, name: str) -> float:
    for family in text_string_to_metric_families(metrics_text):
        for sample in family.samples:
            if sample.name == name and not sample.labels:
                return float(sample.value)
    raise AssertionError(f"{name} not in /metrics")


async def test_socket_on_api_one_receives_events_caused_through_api_two_and_by_the_worker(cluster: Cluster) -> None:
    first, second = await cluster.start_apis(2)
    await cluster.start_workers(1)
    via_first, via_second = await Api(first.url).login(), await Api(second.url).login()
    inbox = await Inbox().connect(first.url, via_first.token)
    try:
        # Created, connected and scanned through API #2; the worker is woken through Redis and links the number.
        connection = await link_connection(via_second, cluster.simulator, "Vendas", BUSINESS)

        async def statuses_seen() -> list[str] | None:
            seen = [e["status"] for e in inbox.named("connection.updated") if e["id"] == connection["id"]]
            return seen if "CONNECTED" in seen else None

        seen = await eventually(statuses_seen, timeout=10, what="CONNECTED on the socket of API #1")
        assert "STARTING" in seen  # the connect command itself, published by API #2

        written = time.monotonic()
        await cluster.simulator.customer_writes(CUSTOMER, BUSINESS, "Olá, vocês abrem amanhã?", name="Ana")

        async def customer_message() -> list[dict[str, Any]] | None:
            return inbox.named("message.created") or None

        (message,) = await eventually(customer_message, timeout=15, what="the customer's message on API #1")
        print(f"\ncustomer's send -> socket event on API #1: {time.monotonic() - written:.3f} s")
        assert message["body"] == "Olá, vocês abrem amanhã?"
        (ticket,) = inbox.named("ticket.created")

        await via_second.post(f"/api/tickets/{ticket['id']}/messages", {"body": "Abrimos às 9h.", "client_id": "r1"})

        async def reply_statuses() -> list[str] | None:
            statuses = [
                data["status"]
                for name, data in inbox.received
                if name in ("message.created", "message.updated") and data.get("body") == "Abrimos às 9h."
            ]
            return statuses if "delivered" in statuses else None

        statuses = await eventually(reply_statuses, timeout=20, what="the reply delivered, seen on API #1")
        assert statuses[0] == "pending"  # the agent's POST on API #2, published to API #1's socket
        received = await cluster.simulator.received_by(CUSTOMER)
        assert [m["text"] for m in received] == ["Abrimos às 9h."]

        # What the worker counted reaches /metrics on either API process (through the Redis hash).
        async def counted() -> str | None:
            text = (await via_first.client.get("/metrics")).text
            sent = counter(text, "zapdesk_messages_sent_total")
            return text if counter(text, "zapdesk_messages_received_total") == 1 and sent == 1 else None

        metrics_text = await eventually(counted, timeout=10, what="the worker's counts on API #1's /metrics")
        assert counter(metrics_text, "zapdesk_ingest_seconds_count") == 1
        health = await cluster.health(second)
        assert health["status"] == "ok" and health["redis"]["status"] == "ok"
        (worker,) = health["workers"]
        assert worker["sessions"] == 1 and cluster.workers[0].owns(worker["owner"])
    finally:
        await inbox.close()
        await via_first.close()
        await via_second.close()
