"""A whole desk in the test's process, customers on the simulator's network: the real worker (engine, ingest,
outbox) on a live simulator, the API, and automation stepped by the test at the time the test sets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.automation.conftest import Automaton
from tests.conftest import EventLog, make_settings
from tests.simulator.harness import LiveSimulator, simulator, simulator_config
from tests.system.harness import eventually
from zapdesk.app import create_api
from zapdesk.config import Settings
from zapdesk.context import AppContext
from zapdesk.db.events import Published
from zapdesk.db.uow import unit_of_work
from zapdesk.messages.models import Message
from zapdesk.settings.service import OUTBOUND_MIN_INTERVAL_MS, set_setting
from zapdesk.worker.nudges import Nudge, nudging_sink
from zapdesk.worker.pipeline import runner_deps
from zapdesk.worker.worker import Worker

__all__ = ["live", "settings", "simulator", "simulator_config"]

BUSINESS = "5511900001000"


@pytest.fixture
def settings(database_url: str, tmp_path: Path, simulator: LiveSimulator) -> Settings:
    return make_settings(database_url, tmp_path / "data", simulator_url=simulator.url, lease_seconds=3)


@dataclass
class LiveDesk:
    context: AppContext
    simulator: LiveSimulator
    worker: Worker
    api: httpx.AsyncClient
    automaton: Automaton
    published: EventLog

    # --- the business side ------------------------------------------------------------------------------------

    async def call(self, method: str, path: str, headers: dict[str, str], **kwargs: Any) -> Any:
        response = await self.api.request(method, path, headers=headers, **kwargs)
        assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    async def linked_connection(self, headers: dict[str, str], **fields: Any) -> int:
        """A simulator connection ("Loja Azul" unless named otherwise) with `fields`, created and linked as an
        administrator does it (`headers`)."""
        body = {"name": "Loja Azul", "provider": "simulator", **fields}
        connection = await self.call("POST", "/api/connections", headers, json=body)
        await self.link(connection["id"], headers)
        return int(connection["id"])

    async def link(self, connection_id: int, headers: dict[str, str]) -> None:
        """Connect the connection and scan its QR code with the business phone, as a person would."""
        await self.call("POST", f"/api/connections/{connection_id}/connect", headers)

        async def qr() -> str | None:
            response = await self.api.get(f"/api/connections/{connection_id}/qr", headers=headers)
            return str(response.json()["code"]) if response.status_code == 200 else None

        await self.simulator.scan(await eventually(qr, what="a QR code"), BUSINESS)

        async def connected() -> bool:
            connection = await self.call("GET", f"/api/connections/{connection_id}", headers)
            return bool(connection["status"] == "CONNECTED")

        await eventually(connected, what="the connection to be connected")

    # --- the customer's side ----------------------------------------------------------------------------------

    async def customer_says(self, customer: str, text: str, **extra: Any) -> None:
        """The customer writes; once zapdesk stored it, automation reacts (now, at the automaton's time)."""
        external_id = await self.simulator.write(customer, BUSINESS, text, **extra)

        async def stored() -> bool:
            async with self.context.sessionmaker() as session:
                query = select(Message.id).where(Message.external_id == external_id)
                return (await session.execute(query)).first() is not None

        await eventually(stored, what=f"{text!r} to be stored")
        await self.automaton.react()

    async def received(self, customer: str) -> list[str]:
        """What the customer's phone got from the business so far, oldest first."""
        return [item["text"] for item in await self.simulator.received_by(customer) if not item["mine"]]

    async def receives(self, customer: str, expected: Sequence[str]) -> None:
        """The customer's phone ends up with exactly `expected` (after every pending message went out)."""

        async def all_sent() -> bool:
            async with self.context.sessionmaker() as session:
                pending = select(Message.id).where(Message.status == "pending")
                return (await session.execute(pending)).first() is None and len(await self.received(customer)) >= len(
                    expected
                )

        await eventually(all_sent, what=f"{customer} to receive {list(expected)}")
        assert await self.received(customer) == list(expected)


@pytest.fixture
async def live(context: AppContext, simulator: LiveSimulator, published: EventLog) -> AsyncIterator[LiveDesk]:
    async with unit_of_work(context.sessionmaker) as session:
        await set_setting(session, OUTBOUND_MIN_INTERVAL_MS.name, 0)
    worker = Worker("test-worker", runner_deps(context.settings, context.sessionmaker, context.publish))

    async def wake(nudge: Nudge) -> None:
        worker.nudge(nudge)

    # As the server does: what it commits is published, and wakes the worker when the worker has work.
    async def forward(events: Sequence[Published]) -> None:
        await published(events)

    context.sink = nudging_sink(forward, wake)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    automaton = Automaton(context)
    await automaton.start()
    transport = httpx.ASGITransport(app=create_api(context))
    async with httpx.AsyncClient(transport=transport, base_url="http://zapdesk.test") as api:
        try:
            yield LiveDesk(context, simulator, worker, api, automaton, published)
        finally:
            stop.set()
            await running
