"""The whole deployment stopped and started again: sessions resume from their stored keys without a scan, what
customers wrote meanwhile arrives, and what agents queued goes out."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.scaleout.cluster import Cluster
from tests.system.harness import (
    BUSINESS,
    Api,
    all_messages,
    all_tickets,
    customer,
    eventually,
    link_connection,
    wait_for_status,
)

pytestmark = pytest.mark.processes


async def test_restarting_every_process_resumes_the_session_without_a_scan_and_delivers_what_waited(
    cluster: Cluster,
) -> None:
    (server,) = await cluster.start_apis(1)
    (worker,) = await cluster.start_workers(1)
    api = await Api(server.url).login()
    connection = await link_connection(api, cluster.simulator, "Vendas", BUSINESS)
    await cluster.simulator.customer_writes(customer(1), BUSINESS, "antes")
    (ticket,) = await eventually(lambda: _tickets(api), what="a ticket")

    # A graceful stop (SIGTERM, as systemd does): the worker stops its session, keeps its keys, frees its lease.
    worker.stop()
    health = await cluster.health()
    assert health["workers"] == []
    assert [c["worker"] for c in health["connections"]] == [None]
    await api.close()
    server.stop()

    # While zapdesk is down the customer writes; WhatsApp holds it for the linked device.
    await cluster.simulator.customer_writes(customer(1), BUSINESS, "durante")
    cluster.apis.clear()
    cluster.workers.clear()
    restarted_at = time.monotonic()
    (server,) = await cluster.start_apis(1)
    await cluster.start_workers(1)
    api = await Api(server.url).login()
    try:
        # An agent writes before the session is back: the reply waits as a pending row.
        await api.post(f"/api/tickets/{ticket['id']}/messages", {"body": "depois", "client_id": "after-restart"})
        resumed = await wait_for_status(api, connection["id"], "CONNECTED", timeout=30)
        print(f"\nwhole system restarted -> session CONNECTED in {time.monotonic() - restarted_at:.1f} s")
        # No scan happened: the same linked number, and the session never showed a QR code again.
        assert resumed["phone"] == BUSINESS
        no_qr = await api.client.get(f"/api/connections/{connection['id']}/qr")
        assert (no_qr.status_code, no_qr.json()["code"]) == (409, "no_qr_code")

        async def conversation() -> list[str] | None:
            bodies = [m["body"] for m in await all_messages(api, ticket["id"])]
            # The reply may be stored before or after the backlog arrives: both orders are right.
            return bodies if sorted(bodies) == ["antes", "depois", "durante"] else None

        await eventually(conversation, timeout=30, what="the backlog and the reply in one conversation")

        async def delivered() -> bool:
            return [m.get("text") for m in await cluster.simulator.received_by(customer(1))] == ["depois"]

        await eventually(delivered, timeout=30, what="the reply on the customer's phone")
    finally:
        await api.close()


async def _tickets(api: Api) -> list[dict[str, Any]] | None:
    return await all_tickets(api) or None
