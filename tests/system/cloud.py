"""The fake Cloud API's control side, and linking a `cloud` connection to one of its numbers the way an admin
does: a number with credentials at "Meta", the connection with those credentials, Meta's callback check, Conectar."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.loopback import CLIENT_LIMITS
from tests.system.harness import Api, eventually, wait_for_status


# How the server under test reaches the fake Graph API mounted in itself, and how fast the fake retries webhooks.
def cloud_environment(port: int) -> dict[str, str]:
    return {
        "CLOUD_GRAPH_URL": f"http://127.0.0.1:{port}/simulator/graph",
        "SIMULATOR_CLOUD_RETRY_FIRST_SECONDS": "0.3",
        "SIMULATOR_CLOUD_RETRY_MAX_SECONDS": "1",
    }


@dataclass
class FakeMeta:
    base_url: str  # ends with /simulator
    client: httpx.AsyncClient = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.AsyncClient(base_url=self.base_url, timeout=15, limits=CLIENT_LIMITS)

    async def call(self, method: str, path: str, body: Any = None, *, expect: int = 200) -> Any:
        response = await self.client.request(method, f"/api/cloud{path}", json=body)
        assert response.status_code == expect, response.text
        return response.json() if response.content else None

    async def new_number(self, phone: str, name: str = "Loja Demo") -> dict[str, Any]:
        number: dict[str, Any] = await self.call("POST", "/numbers", {"phone": phone, "name": name})
        return number

    async def customer_writes(self, customer: str, number: str, text: str = "", **fields: Any) -> str:
        body = {"from": customer, "to": number, "text": text, **fields}
        posted = await self.call("POST", "/messages", body)
        return str(posted["id"])

    async def sent_requests(self, number: str) -> list[dict[str, Any]]:
        requests: list[dict[str, Any]] = await self.call("GET", f"/numbers/{number}/requests")
        return requests

    async def received_by(self, customer: str) -> list[dict[str, Any]]:
        received: list[dict[str, Any]] = await self.call("GET", f"/phones/{customer}/messages")
        return received

    async def close(self) -> None:
        await self.client.aclose()


async def link_cloud_connection(api: Api, meta: FakeMeta, server_url: str, name: str, phone: str) -> dict[str, Any]:
    number = await meta.new_number(phone, name=f"{name} Ltda")
    connection = await api.post("/api/connections", {"name": name, "provider": "cloud"}, expect=201)
    credentials = {
        key: number[key]
        for key in ("phone_number_id", "business_account_id", "access_token", "app_secret", "verify_token")
    }
    response = await api.client.put(f"/api/connections/{connection['id']}/cloud", json=credentials)
    assert response.status_code == 200, response.text
    callback = f"{server_url}/api/webhooks/cloud/{connection['id']}"
    await meta.call("PUT", f"/numbers/{number['phone_number_id']}/webhook", {"url": callback})
    await api.post(f"/api/connections/{connection['id']}/connect", expect=202)
    linked = await wait_for_status(api, connection["id"], "CONNECTED")
    return {**linked, "number": number}


async def wait_for_message(api: Api, ticket_id: int, message_id: int, status: str) -> dict[str, Any]:
    async def reached() -> dict[str, Any] | None:
        page = await api.get(f"/api/tickets/{ticket_id}/messages")
        return next((m for m in page["items"] if m["id"] == message_id and m["status"] == status), None)

    found: dict[str, Any] = await eventually(reached, what=f"message {message_id} to be {status}")
    return found
