"""A Cloud API webhook that arrives while PostgreSQL is down is answered non-2xx, and stored when Meta's retry
comes after the database is back. PostgreSQL only: a SQLite file has no server to go down. The test runs a
PostgreSQL of its own, so nobody else's is disturbed."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.scaleout.test_outages import private_postgres
from tests.services import PrivatePostgres, create_postgres_database
from tests.system.cloud import FakeMeta, cloud_environment, link_cloud_connection
from tests.system.harness import Api, Server, eventually, free_port

CUSTOMER = "5511966665555"
__all__ = ["private_postgres"]


async def test_webhook_while_the_database_is_down_is_refused_then_stored_on_metas_retry(
    private_postgres: PrivatePostgres, tmp_path: Path
) -> None:
    database_url = await asyncio.to_thread(create_postgres_database, "zapdesk", private_postgres.admin_url)
    port = free_port()
    server = Server(database_url=database_url, data_dir=tmp_path / "data", port=port, extra_env=cloud_environment(port))
    await server.start()
    api = await Api(server.url).login()
    meta = FakeMeta(f"{server.url}/simulator")
    try:
        connection = await link_cloud_connection(api, meta, server.url, "Oficial", "5511999990042")
        number_id = connection["number"]["phone_number_id"]

        await asyncio.to_thread(private_postgres.stop_server)
        await meta.customer_writes(CUSTOMER, number_id, "Alguém aí?", name="Edu")

        async def refused() -> list[int] | None:
            deliveries = await meta.call("GET", f"/numbers/{number_id}/deliveries")
            attempts: list[int] = deliveries[-1]["attempts"]
            return attempts if attempts and attempts[-1] >= 500 else None

        assert (await eventually(refused, what="the delivery to be refused while the database is down"))[0] == 503
        await asyncio.to_thread(private_postgres.start_server)

        async def stored() -> list[dict[str, Any]] | None:
            response = await api.client.get("/api/tickets", params={"status": "pending"})
            items: list[dict[str, Any]] = response.json()["items"] if response.status_code == 200 else []
            return items or None

        (ticket,) = await eventually(stored, timeout=30, what="the message stored after Meta's retry")
        messages = await api.get(f"/api/tickets/{ticket['id']}/messages")
        assert [m["body"] for m in messages["items"]] == ["Alguém aí?"]
        deliveries = await meta.call("GET", f"/numbers/{number_id}/deliveries")
        attempts = deliveries[-1]["attempts"]
        assert attempts[-1] == 200 and all(status >= 500 for status in attempts[:-1])
    finally:
        await meta.close()
        await api.close()
        server.kill()
