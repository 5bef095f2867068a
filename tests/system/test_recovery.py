"""Never losing a message: many customers at once, a killed engine worker, a restarted server."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

from tests.system.harness import (
    BUSINESS,
    Api,
    Process,
    Server,
    Simulator,
    all_messages,
    all_tickets,
    assert_complete_and_in_order,
    customer,
    eventually,
    free_port,
    inbound_by_customer,
    link_connection,
    wait_for_status,
    write_in_turns,
)


async def test_fifty_customers_writing_twenty_messages_each_make_fifty_tickets_in_order(
    api: Api, simulator: Simulator
) -> None:
    await link_connection(api, simulator, "Vendas", BUSINESS)
    await write_in_turns(simulator, customers=50, per_customer=20)

    async def all_stored() -> dict[str, list[dict[str, Any]]] | None:
        stored = await inbound_by_customer(api)
        return stored if sum(len(v) for v in stored.values()) >= 1000 else None

    stored = await eventually(all_stored, timeout=120, what="1,000 stored messages")
    assert_complete_and_in_order(stored, customers=50, per_customer=20)
    assert len(await all_tickets(api)) == 50


async def test_killing_the_engine_worker_mid_stream_loses_nothing_and_duplicates_nothing(
    server: Server, api: Api, simulator: Simulator
) -> None:
    connection = await link_connection(api, simulator, "Vendas", BUSINESS)
    writing = asyncio.create_task(write_in_turns(simulator, customers=20, per_customer=10, pause=0.05))
    await asyncio.sleep(0.4)
    (worker,) = server.worker_pids()
    os.kill(worker, signal.SIGKILL)
    await writing

    async def all_stored() -> dict[str, list[dict[str, Any]]] | None:
        stored = await inbound_by_customer(api)
        return stored if sum(len(v) for v in stored.values()) >= 200 else None

    stored = await eventually(all_stored, timeout=60, what="200 stored messages after the worker was killed")
    assert_complete_and_in_order(stored, customers=20, per_customer=10)
    back = await wait_for_status(api, connection["id"], "CONNECTED", timeout=30)
    assert back["phone"] == BUSINESS
    assert server.worker_pids() and server.worker_pids() != [worker]


async def test_replies_written_while_the_worker_is_dead_go_out_after_it_is_restarted(
    server: Server, api: Api, simulator: Simulator
) -> None:
    await link_connection(api, simulator, "Vendas", BUSINESS)
    await simulator.customer_writes(customer(1), BUSINESS, "oi")
    ticket = (await eventually(lambda: _pending(api), what="a ticket"))[0]
    for pid in server.worker_pids():
        os.kill(pid, signal.SIGKILL)
    for n in range(3):
        await api.post(f"/api/tickets/{ticket['id']}/messages", {"body": f"resposta {n}", "client_id": f"r{n}"})

    async def delivered() -> list[str] | None:
        texts = [m.get("text") for m in await simulator.received_by(customer(1))]
        return texts if texts == ["resposta 0", "resposta 1", "resposta 2"] else None

    await eventually(delivered, timeout=45, what="the three replies, in order, on the customer's phone")


async def test_restarting_the_whole_server_resumes_the_session_and_delivers_what_waited(
    fresh_database_url: str, tmp_path: Path
) -> None:
    simulator_port = free_port()
    network = Process(
        [
            sys.executable,
            "-m",
            "zapdesk",
            "simulator",
            "--port",
            str(simulator_port),
            "--state",
            str(tmp_path / "network.db"),
        ],
        {**os.environ, "SIMULATOR_RECEIPT_DELAY_SECONDS": "0.05"},
        tmp_path / "simulator.log",
    )
    network.start()
    simulator = Simulator(f"http://127.0.0.1:{simulator_port}")
    server = Server(
        database_url=fresh_database_url,
        data_dir=tmp_path / "data",
        extra_env={"SIMULATOR_URL": f"http://127.0.0.1:{simulator_port}"},
    )
    try:
        await eventually(lambda: _answers(simulator), timeout=30, what="the standalone simulator")
        await server.start()
        api = await Api(server.url).login()
        connection = await link_connection(api, simulator, "Vendas", BUSINESS)
        await simulator.customer_writes(customer(1), BUSINESS, "antes")
        ticket = (await eventually(lambda: _pending(api), what="a ticket"))[0]
        await api.close()

        server.kill()
        # While zapdesk is down, the customer keeps writing: WhatsApp holds these for the linked device.
        await simulator.customer_writes(customer(1), BUSINESS, "durante")
        await server.start()
        api = await Api(server.url).login()
        await wait_for_status(api, connection["id"], "CONNECTED", timeout=30)

        async def conversation(expected: list[str]) -> list[str] | None:
            bodies = [m["body"] for m in await all_messages(api, ticket["id"])]
            return bodies if bodies == expected else None

        await eventually(lambda: conversation(["antes", "durante"]), timeout=30, what="the offline backlog")
        await api.post(f"/api/tickets/{ticket['id']}/messages", {"body": "depois", "client_id": "after-restart"})
        await eventually(lambda: conversation(["antes", "durante", "depois"]), what="the reply in the same ticket")

        async def delivered() -> bool:
            return any(m.get("text") == "depois" for m in await simulator.received_by(customer(1)))

        await eventually(delivered, timeout=30, what="the reply on the customer's phone")
        await api.close()
    finally:
        server.kill()
        network.kill()
        await simulator.close()


async def _pending(api: Api) -> list[dict[str, Any]] | None:
    items: list[dict[str, Any]] = (await api.get("/api/tickets", status="pending"))["items"]
    return items or None


async def _answers(simulator: Simulator) -> bool:
    try:
        return (await simulator.client.get("/api/phones/5500000000000/messages")).status_code < 500
    except Exception:
        return False
