"""Signing in through the API, as a browser would."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import TEST_PASSWORD


async def sign_in(client: httpx.AsyncClient, email: str, password: str = TEST_PASSWORD) -> dict[str, Any]:
    """The login response body; fails the test unless the sign-in succeeds."""
    response = await client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}
