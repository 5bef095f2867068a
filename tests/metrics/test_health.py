"""GET /api/health: the database, Redis when configured, the workers (from their leases) and each connection."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx

from tests.conftest import make_settings
from tests.services import redis_url
from tests.system.harness import free_port
from tests.tickets.factories import make_connection
from zapdesk.app import create_api
from zapdesk.connections.models import Connection, ConnectionLease, ConnectionStatus
from zapdesk.context import AppContext
from zapdesk.db.base import utcnow


async def test_health_is_ok_and_lists_each_connection_state_without_secrets(
    client: httpx.AsyncClient, context: AppContext
) -> None:
    connection = await make_connection(context, name="Vendas")
    async with context.sessionmaker() as session:
        row = await session.get(Connection, connection.id)
        assert row is not None
        row.status = ConnectionStatus.QR
        row.phone, row.session_ref, row.qr_code = "5511999990001", "device-secret-ref", "2@qr-secret"
        row.engine = "zapdesk-wa"
        await session.commit()

    response = await client.get("/api/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"status": "ok", "detail": None}
    assert body["redis"] is None  # not configured
    assert body["workers"] == []
    assert body["engine"] == {"whatsapp": "zapdesk-wa", "delivery_after_commit": True}
    assert body["connections"] == [
        {
            "id": connection.id,
            "name": "Vendas",
            "status": "QR",
            "worker": None,
            "engine": "zapdesk-wa",
            "delivery_after_commit": True,
        }
    ]
    for secret in ("5511999990001", "device-secret-ref", "2@qr-secret"):
        assert secret not in response.text


async def test_health_shows_each_worker_with_its_sessions_and_which_worker_holds_each_connection(
    client: httpx.AsyncClient, context: AppContext
) -> None:
    first, second, third = [await make_connection(context, name=name) for name in ("A", "B", "C")]
    now = utcnow()
    async with context.sessionmaker() as session:
        session.add_all(
            [
                ConnectionLease(connection_id=first.id, owner="host:1:aa", expires_at=now + timedelta(seconds=15)),
                ConnectionLease(connection_id=second.id, owner="host:1:aa", expires_at=now + timedelta(seconds=15)),
                # A worker that stopped beating: its lease expired, another may take the session.
                ConnectionLease(
                    connection_id=third.id,
                    owner="host:2:bb",
                    expires_at=now - timedelta(seconds=1),
                    heartbeat_at=now - timedelta(seconds=16),
                ),
            ]
        )
        await session.commit()

    body = (await client.get("/api/health")).json()

    workers = {worker["owner"]: worker for worker in body["workers"]}
    assert workers["host:1:aa"]["sessions"] == 2 and workers["host:1:aa"]["alive"] is True
    assert workers["host:2:bb"]["sessions"] == 1 and workers["host:2:bb"]["alive"] is False
    holders = {connection["name"]: connection["worker"] for connection in body["connections"]}
    assert holders == {"A": "host:1:aa", "B": "host:1:aa", "C": None}


async def test_health_is_degraded_but_answers_200_while_redis_is_unreachable(
    client: httpx.AsyncClient, context: AppContext
) -> None:
    context.settings = context.settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})

    response = await client.get("/api/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"]["status"] == "ok"
    assert body["redis"]["status"] == "down"
    assert "127.0.0.1" not in response.text  # the error is named by its type, not its message


async def test_health_reports_redis_ok_when_it_answers(client: httpx.AsyncClient, context: AppContext) -> None:
    context.settings = context.settings.model_copy(update={"redis_url": redis_url()})

    body = (await client.get("/api/health")).json()

    assert body["status"] == "ok"
    assert body["redis"] == {"status": "ok", "detail": None}


async def test_health_is_down_with_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    unreachable = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/zapdesk"
    context = AppContext.from_settings(make_settings(unreachable, tmp_path / "data"))
    try:
        transport = httpx.ASGITransport(app=create_api(context))
        async with httpx.AsyncClient(transport=transport, base_url="http://zapdesk.test") as client:
            response = await client.get("/api/health")
    finally:
        await context.close()

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["database"]["status"] == "down"
    assert body["database"]["detail"]  # the error's type, e.g. ConnectionRefusedError
    assert body["connections"] == [] and body["workers"] == []
