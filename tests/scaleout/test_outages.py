"""PostgreSQL or Redis going away under a running deployment. Each test runs its own server of the one it stops
(on a free port), so nobody else sharing this machine's PostgreSQL or Redis is disturbed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.scaleout.cluster import Cluster, running_cluster
from tests.services import PrivatePostgres, PrivateRedis, create_postgres_database, redis_url
from tests.system.harness import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
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


@pytest.fixture
async def private_postgres() -> AsyncIterator[PrivatePostgres]:
    server = PrivatePostgres()
    await asyncio.to_thread(server.start)
    try:
        yield server
    finally:
        server.destroy()


async def health_of(api: Api) -> tuple[int, dict[str, Any]] | None:
    try:
        response = await api.client.get("/api/health")
    except httpx.HTTPError:
        return None
    return response.status_code, response.json()


async def test_postgres_restarted_mid_stream_is_reported_while_down_and_nothing_is_lost(
    private_postgres: PrivatePostgres, tmp_path: Path
) -> None:
    database_url = await asyncio.to_thread(create_postgres_database, "zapdesk", private_postgres.admin_url)
    async with running_cluster(database_url, redis_url(), tmp_path) as cluster:
        (server,) = await cluster.start_apis(1)
        await cluster.start_workers(1)
        api = await Api(server.url).login()
        try:
            await link_connection(api, cluster.simulator, "Vendas", BUSINESS)
            writing = asyncio.create_task(write_in_turns(cluster.simulator, customers=10, per_customer=10, pause=0.2))
            await asyncio.sleep(1.0)

            await asyncio.to_thread(private_postgres.stop_server)
            stopped_at = time.monotonic()

            async def reported_down() -> dict[str, Any] | None:
                answer = await health_of(api)
                return answer[1] if answer and answer[0] == 503 else None

            down = await eventually(reported_down, timeout=10, what="/api/health to report the database down")
            assert down["status"] == "down" and down["database"]["status"] == "down"
            assert down["redis"]["status"] == "ok"
            await asyncio.sleep(1.0)  # customers keep writing while the database is away
            await asyncio.to_thread(private_postgres.start_server)

            async def reported_up() -> dict[str, Any] | None:
                answer = await health_of(api)
                return answer[1] if answer and answer[0] == 200 and answer[1]["status"] == "ok" else None

            await eventually(reported_up, timeout=30, what="/api/health to report the database back")
            print(f"\ndatabase away -> health ok again: {time.monotonic() - stopped_at:.1f} s")
            await writing

            async def all_stored() -> dict[str, list[dict[str, Any]]] | None:
                stored = await inbound_by_customer(api)
                return stored if sum(len(v) for v in stored.values()) >= 100 else None

            # The same processes, never restarted: their pools reconnected by themselves.
            stored = await eventually(all_stored, timeout=60, what="100 stored messages after the restart")
            assert_complete_and_in_order(stored, customers=10, per_customer=10)
            ticket = next(t for t in await all_tickets(api) if t["contact"]["phone"] == customer(0))
            await api.post(f"/api/tickets/{ticket['id']}/messages", {"body": "Voltamos!", "client_id": "after"})

            async def delivered() -> bool:
                return [m["text"] for m in await cluster.simulator.received_by(customer(0))] == ["Voltamos!"]

            await eventually(delivered, timeout=30, what="a reply sent after the restart on the customer's phone")
        finally:
            await api.close()


async def test_redis_down_keeps_rest_serving_reports_degraded_and_replies_still_go_out(
    postgres_url: str, tmp_path: Path
) -> None:
    redis = PrivateRedis()
    await asyncio.to_thread(redis.start)
    try:
        async with running_cluster(postgres_url, redis.url, tmp_path) as cluster:
            await check_redis_outage(cluster, redis)
    finally:
        redis.destroy()


async def check_redis_outage(cluster: Cluster, redis: PrivateRedis) -> None:
    (server,) = await cluster.start_apis(1)
    await cluster.start_workers(1)
    api = await Api(server.url).login()
    inbox = await Inbox().connect(server.url, api.token)
    try:
        await link_connection(api, cluster.simulator, "Vendas", BUSINESS)
        await cluster.simulator.customer_writes(customer(1), BUSINESS, "antes")
        (ticket,) = await eventually(lambda: _tickets(api), what="a ticket")

        redis.stop()

        async def degraded() -> dict[str, Any] | None:
            answer = await health_of(api)
            return answer[1] if answer and answer[0] == 200 and answer[1]["status"] == "degraded" else None

        health = await eventually(degraded, timeout=10, what="/api/health to report degraded")
        assert health["database"]["status"] == "ok" and health["redis"]["status"] == "down"

        # REST keeps working: reads, a customer's message stored by the worker, a reply (its nudge is lost).
        await cluster.simulator.customer_writes(customer(1), BUSINESS, "durante")

        async def conversation() -> list[str] | None:
            page = await api.get(f"/api/tickets/{ticket['id']}/messages")
            bodies = [m["body"] for m in page["items"]]
            return bodies if bodies == ["antes", "durante"] else None

        await eventually(conversation, timeout=20, what="the message written during the outage, over REST")
        sent_at = time.monotonic()
        await api.post(f"/api/tickets/{ticket['id']}/messages", {"body": "sem redis", "client_id": "no-redis"})

        async def delivered() -> bool:
            return "sem redis" in [m["text"] for m in await cluster.simulator.received_by(customer(1))]

        await eventually(delivered, timeout=30, what="the reply delivered without its nudge")
        print(f"\nreply without a nudge (Redis down) delivered after {time.monotonic() - sent_at:.1f} s")
        await asyncio.to_thread(redis.start)

        async def healthy() -> bool:
            answer = await health_of(api)
            return bool(answer and answer[1]["status"] == "ok")

        await eventually(healthy, timeout=20, what="/api/health ok once Redis is back")
        # Events published before an API process has subscribed again reach its sockets only when a later batch
        # arrives (it then reads the missed ones back from the event log); so the customer keeps writing until
        # the socket shows one of them.
        back_at = time.monotonic()
        written = 0

        async def live_again() -> bool:
            nonlocal written
            if any(e["body"].startswith("depois") for e in inbox.named("message.created")):
                return True
            await cluster.simulator.customer_writes(customer(1), BUSINESS, f"depois {written}")
            written += 1
            await asyncio.sleep(1.0)
            return False

        await eventually(live_again, timeout=90, what="Socket.IO events flowing again after Redis came back")
        print(f"Socket.IO events flowing again {time.monotonic() - back_at:.1f} s after Redis came back")

        redis.stop()
        fresh = Api(server.url)
        try:
            login = await fresh.client.post("/api/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        finally:
            await fresh.close()
        # The login rate limiter counts in memory while Redis is down: signing in keeps working.
        assert login.status_code == 200, login.text
    finally:
        await inbox.close()
        await api.close()


async def _tickets(api: Api) -> list[dict[str, Any]] | None:
    return await all_tickets(api) or None
