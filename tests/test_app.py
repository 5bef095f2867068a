"""The API app: every app one process builds serves the same routes, built once, each with its own desk."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.conftest import make_settings
from zapdesk.app import create_api
from zapdesk.config import Environment
from zapdesk.context import AppContext


async def test_apps_built_in_one_process_share_their_routes_and_each_answers_with_its_own_settings(
    database_url: str, tmp_path: Path
) -> None:
    environments = (Environment.TEST, Environment.DEVELOPMENT)
    contexts = [
        AppContext.from_settings(make_settings(database_url, tmp_path / environment, environment=environment))
        for environment in environments
    ]
    try:
        first, second = (create_api(context) for context in contexts)

        assert {id(route) for route in first.routes} & {id(route) for route in second.routes}
        assert first.openapi() == second.openapi()
        assert "/api/meta" in first.openapi()["paths"]
        for api, environment in zip((first, second), environments, strict=True):
            transport = httpx.ASGITransport(app=api)
            async with httpx.AsyncClient(transport=transport, base_url="http://zapdesk.test") as client:
                answer = await client.get("/api/meta")
            assert (answer.status_code, answer.json()["environment"]) == (200, environment)
    finally:
        for context in contexts:
            await context.close()
