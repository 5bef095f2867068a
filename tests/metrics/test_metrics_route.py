"""GET /metrics: Prometheus text with the workers' counts and the database's gauges, behind a token if set."""

from __future__ import annotations

import secrets

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.outbox.helpers import queue_message
from tests.services import redis_url
from tests.system.harness import free_port
from tests.tickets.factories import make_connection, make_ticket
from zapdesk.connections.models import Connection, ConnectionStatus
from zapdesk.context import AppContext
from zapdesk.kit.redis import command_client
from zapdesk.metrics.store import RedisMetricsStore, metrics_key
from zapdesk.metrics.tally import Counter, Tally


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def set_status(context: AppContext, connection_id: int, status: ConnectionStatus) -> None:
    async with context.sessionmaker() as session:
        connection = await session.get(Connection, connection_id)
        assert connection is not None
        connection.status = status
        await session.commit()


async def test_metrics_show_connection_states_and_the_pending_queue_depth_read_from_the_database(
    client: httpx.AsyncClient, context: AppContext
) -> None:
    vendas = await make_connection(context, name="Vendas")
    suporte = await make_connection(context, name="Suporte")
    await set_status(context, vendas.id, ConnectionStatus.CONNECTED)
    ticket = await make_ticket(context, connection=vendas)
    for n in range(3):
        await queue_message(context, ticket, f"resposta {n}")

    response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    values = samples(response.text)
    assert values[("zapdesk_connections", (("status", "CONNECTED"),))] == 1
    assert values[("zapdesk_connections", (("status", "STOPPED"),))] == 1
    assert values[("zapdesk_connections", (("status", "FAILED"),))] == 0
    assert values[("zapdesk_connection_up", (("connection_id", str(vendas.id)), ("name", "Vendas")))] == 1
    assert values[("zapdesk_connection_up", (("connection_id", str(suporte.id)), ("name", "Suporte")))] == 0
    assert values[("zapdesk_pending_sends", (("connection_id", str(vendas.id)),))] == 3
    assert values[("zapdesk_pending_sends", (("connection_id", str(suporte.id)),))] == 0
    assert values[("zapdesk_database_up", ())] == 1
    # Without workers reporting, the counters exist at zero (so rate() works from the first scrape).
    assert values[("zapdesk_messages_received_total", ())] == 0
    assert values[("zapdesk_ingest_seconds_count", ())] == 0


async def test_metrics_add_up_the_counts_standalone_workers_left_in_redis(
    client: httpx.AsyncClient, context: AppContext
) -> None:
    context.settings = context.settings.model_copy(
        update={"redis_url": redis_url(), "redis_prefix": f"test-{secrets.token_hex(6)}"}
    )
    redis = command_client(redis_url())
    store = RedisMetricsStore(redis, metrics_key(context.settings))
    try:
        for worker_counts in ((Counter.MESSAGES_RECEIVED, 4), (Counter.MESSAGES_SENT, 2)):
            tally = Tally()
            tally.count(*worker_counts)
            tally.observe_ingest(0.03)
            await store.add(tally)

        values = samples((await client.get("/metrics")).text)
    finally:
        await redis.delete(store.key)
        await redis.aclose()

    assert values[("zapdesk_messages_received_total", ())] == 4
    assert values[("zapdesk_messages_sent_total", ())] == 2
    assert values[("zapdesk_send_failures_total", ())] == 0
    assert values[("zapdesk_ingest_seconds_count", ())] == 2
    assert values[("zapdesk_ingest_seconds_bucket", (("le", "0.05"),))] == 2
    assert values[("zapdesk_ingest_seconds_bucket", (("le", "0.025"),))] == 0
    assert values[("zapdesk_worker_counts_up", ())] == 1


async def test_metrics_still_answer_with_redis_down_and_say_the_workers_counts_are_missing(
    client: httpx.AsyncClient, context: AppContext
) -> None:
    context.settings = context.settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})

    response = await client.get("/metrics")

    assert response.status_code == 200
    values = samples(response.text)
    assert values[("zapdesk_worker_counts_up", ())] == 0
    assert values[("zapdesk_database_up", ())] == 1


async def test_metrics_token_is_required_as_a_bearer_token_when_configured(
    client: httpx.AsyncClient, context: AppContext
) -> None:
    context.settings = context.settings.model_copy(update={"metrics_token": "scrape-secret-123"})

    missing = await client.get("/metrics")
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
    right = await client.get("/metrics", headers={"Authorization": "Bearer scrape-secret-123"})

    assert missing.status_code == 401 and wrong.status_code == 401
    assert missing.json()["code"] == "metrics_token_required"
    assert missing.headers["www-authenticate"] == "Bearer"
    assert right.status_code == 200 and "zapdesk_pending_sends" in right.text
