"""A `cloud` connection on the live server, tied to a number of the fake Cloud API mounted in that same server,
with the ids of Meta's documented example payloads (tests/engine/cloud/payloads) so they can be replayed."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import MakeUser
from tests.live_server import LiveServer
from zapdesk.users.models import Role, User

PAYLOADS = Path(__file__).parent.parent / "engine" / "cloud" / "payloads"
PHONE_NUMBER_ID = "106540352242922"
BUSINESS_ACCOUNT_ID = "102290129340398"
APP_SECRET = "documented-examples-app-secret"
CUSTOMER = "16505551234"


def payload(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text())
    return loaded


@dataclass
class CloudDesk:
    server: LiveServer
    admin: User
    http: httpx.AsyncClient  # signed in as the admin
    meta: httpx.AsyncClient  # the fake Cloud API's control side
    connection_id: int
    number: dict[str, Any]

    @property
    def webhook_url(self) -> str:
        return f"/api/webhooks/cloud/{self.connection_id}"

    async def deliver(self, body: dict[str, Any]) -> list[int]:
        """Have the fake post `body` signed, as Meta would; the statuses of its attempts once one succeeded."""
        response = await self.meta.post("/deliveries", json={"to": PHONE_NUMBER_ID, "body": body})
        assert response.status_code == 200, response.text
        return await self.wait_for_delivery(len(await self.deliveries()) - 1)

    async def deliveries(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = (await self.meta.get(f"/numbers/{PHONE_NUMBER_ID}/deliveries")).json()
        return found

    async def wait_for_delivery(self, index: int, timeout: float = 10.0) -> list[int]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            attempts: list[int] = (await self.deliveries())[index]["attempts"]
            if attempts and 200 <= attempts[-1] < 300:
                return attempts
            await asyncio.sleep(0.05)
        raise AssertionError(f"delivery {index} never succeeded: {(await self.deliveries())[index]}")


@pytest.fixture
async def cloud_desk(live_server: LiveServer, make_user: MakeUser) -> AsyncIterator[CloudDesk]:
    live_server.context.settings.cloud_graph_url = f"{live_server.url}/simulator/graph"
    admin = await make_user(role=Role.ADMIN)
    async with (
        live_server.http(admin) as http,
        httpx.AsyncClient(base_url=f"{live_server.url}/simulator/api/cloud") as meta,
    ):
        number = (
            await meta.post(
                "/numbers",
                json={
                    "phone": "15550783881",
                    "name": "Documented Examples",
                    "phone_number_id": PHONE_NUMBER_ID,
                    "business_account_id": BUSINESS_ACCOUNT_ID,
                    "app_secret": APP_SECRET,
                },
            )
        ).json()
        created = await http.post("/api/connections", json={"name": "Cloud", "provider": "cloud"})
        assert created.status_code == 201, created.text
        connection_id = created.json()["id"]
        credentials = {
            key: number[key]
            for key in ("phone_number_id", "business_account_id", "access_token", "app_secret", "verify_token")
        }
        stored = await http.put(f"/api/connections/{connection_id}/cloud", json=credentials)
        assert stored.status_code == 200, stored.text
        subscribed = await meta.put(
            f"/numbers/{PHONE_NUMBER_ID}/webhook", json={"url": f"{live_server.url}/api/webhooks/cloud/{connection_id}"}
        )
        assert subscribed.status_code == 200, subscribed.text
        yield CloudDesk(live_server, admin, http, meta, connection_id, number)
