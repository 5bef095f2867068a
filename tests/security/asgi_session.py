"""A `requests.Session` that answers from an ASGI app running on the test's own event loop.

Schemathesis and Hypothesis are synchronous and send requests through `requests`; the app, its database
engine and the fixtures that arrange data live on pytest-asyncio's loop. Generating cases in a worker thread
and sending each request to that loop keeps every database connection on one loop (asyncpg needs that), and
nothing leaves the process.
"""

from __future__ import annotations

import asyncio
import io
from typing import Any

import httpx
import requests
import urllib3
from requests.adapters import HTTPAdapter
from starlette.types import ASGIApp

BASE_URL = "http://zapdesk.test"
REQUEST_TIMEOUT = 30.0


class _LoopAdapter(HTTPAdapter):
    def __init__(self, client: httpx.AsyncClient, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.client = client
        self.loop = loop

    def send(self, request: requests.PreparedRequest, *_args: Any, **_kwargs: Any) -> requests.Response:  # type: ignore[override]
        body = request.body
        content = body.encode() if isinstance(body, str) else (body or b"")
        outgoing = self.client.build_request(
            str(request.method), str(request.url), headers=list(request.headers.items()), content=content
        )
        future = asyncio.run_coroutine_threadsafe(self.client.send(outgoing), self.loop)
        answer = future.result(timeout=REQUEST_TIMEOUT)
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(answer.content),
            headers=answer.headers.multi_items(),
            status=answer.status_code,
            reason=answer.reason_phrase,
            version=11,
            preload_content=False,
        )
        return self.build_response(request, raw)


class LoopSession(requests.Session):
    """Use from a thread other than `loop`'s while `loop` runs (e.g. inside `asyncio.to_thread`)."""

    def __init__(self, client: httpx.AsyncClient, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        adapter = _LoopAdapter(client, loop)
        self.mount("http://", adapter)
        self.mount("https://", adapter)


def asgi_client(app: ASGIApp) -> httpx.AsyncClient:
    # A crash must reach the checks as the 500 a real server would answer, not as an exception.
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url=BASE_URL)
