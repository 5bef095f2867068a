"""A worker killed with `kill -9` while customers write: its session moves to the other worker by itself, every
message is stored exactly once and in order, and every reply the agents wrote reaches its customer once."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from tests.scaleout.cluster import Cluster
from tests.system.harness import (
    BUSINESS,
    Api,
    Inbox,
    all_tickets,
    assert_complete_and_in_order,
    customer,
    eventually,
    inbound_by_customer,
    link_connection,
    write_in_turns,
)

pytestmark = pytest.mark.processes

CUSTOMERS = 20
PER_CUSTOMER = 10
TAKEOVER_LIMIT_SECONDS = 30.0


async def holder(cluster: Cluster, connection_id: int) -> str | None:
    connections = (await cluster.health())["connections"]
    return next(c["worker"] for c in connections if c["id"] == connection_id)


async def test_killing_a_worker_mid_stream_loses_nothing_and_its_session_resumes_on_the_other_worker(
    cluster: Cluster,
) -> None:
    (server,) = await cluster.start_apis(1)
    await cluster.start_workers(2)
    api = await Api(server.url).login()
    inbox = await Inbox().connect(server.url, api.token)
    try:
        connection = await link_connection(api, cluster.simulator, "Vendas", BUSINESS)
        owner = await eventually(lambda: holder(cluster, connection["id"]), what="the worker holding the session")
        (victim,) = [worker for worker in cluster.workers if worker.owns(owner)]
        (survivor,) = [worker for worker in cluster.workers if worker is not victim]

        # Every customer opens a ticket first, so the agents have somewhere to reply while the rest flows in.
        await write_in_turns(cluster.simulator, customers=CUSTOMERS, per_customer=1)

        async def tickets() -> list[dict[str, Any]] | None:
            found = await all_tickets(api)
            return found if len(found) == CUSTOMERS else None

        ticket_of = {t["contact"]["phone"]: t["id"] for t in await eventually(tickets, what="20 tickets")}

        async def rest_of_the_messages() -> None:
            async def one(index: int) -> None:
                for n in range(1, PER_CUSTOMER):
                    await cluster.simulator.customer_writes(customer(index), BUSINESS, f"mensagem {n}")
                    await asyncio.sleep(0.05)

            await asyncio.gather(*(one(index) for index in range(CUSTOMERS)))

        async def replies() -> None:
            for index in range(CUSTOMERS):
                body = {"body": f"resposta para {index}", "client_id": f"reply-{index}"}
                await api.post(f"/api/tickets/{ticket_of[customer(index)]}/messages", body)
                await asyncio.sleep(0.05)

        async def taken_over() -> str | None:
            # The new holder announces the resumed session; the row alone still says CONNECTED from before.
            reported = any(
                name == "connection.updated" and data["status"] == "CONNECTED"
                for name, data in inbox.received[events_before_kill:]
            )
            current = await holder(cluster, connection["id"])
            return current if reported and survivor.owns(current) else None

        writing = asyncio.create_task(rest_of_the_messages())
        replying = asyncio.create_task(replies())
        await asyncio.sleep(0.5)
        events_before_kill = len(inbox.received)
        victim.kill()
        killed_at = time.monotonic()

        async def seconds_to_takeover() -> float:
            what = "the session CONNECTED on the other worker"
            await eventually(taken_over, timeout=TAKEOVER_LIMIT_SECONDS, what=what)
            return time.monotonic() - killed_at

        takeover = asyncio.create_task(seconds_to_takeover())
        *_, seconds = await asyncio.gather(writing, replying, takeover)
        print(f"\nkill -9 -> session CONNECTED on the other worker: {seconds:.1f} s")

        async def all_stored() -> dict[str, list[dict[str, Any]]] | None:
            stored = await inbound_by_customer(api)
            return stored if sum(len(v) for v in stored.values()) >= CUSTOMERS * PER_CUSTOMER else None

        stored = await eventually(all_stored, timeout=60, what="200 stored messages")
        assert_complete_and_in_order(stored, customers=CUSTOMERS, per_customer=PER_CUSTOMER)

        async def all_replies_delivered() -> bool:
            for index in range(CUSTOMERS):
                texts = [m.get("text") for m in await cluster.simulator.received_by(customer(index))]
                if texts != [f"resposta para {index}"]:  # exactly once, even if it was mid-send at the kill
                    return False
            return True

        await eventually(all_replies_delivered, timeout=60, what="each reply on its customer's phone, once")
        (alive,) = [w for w in (await cluster.health())["workers"] if w["alive"]]
        assert survivor.owns(alive["owner"]) and alive["sessions"] == 1
    finally:
        await inbox.close()
        await api.close()
