"""Security headers on every kind of answer the server gives, and API docs pages that need no other origin."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

from tests.conftest import make_settings
from tests.security.asgi_session import asgi_client
from zapdesk.api.security import content_security_policy
from zapdesk.app import assemble_server
from zapdesk.context import AppContext

EXPECTED_DIRECTIVES = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:", "blob:"},
    "media-src": {"'self'", "blob:"},
    "connect-src": {"'self'", "ws://zapdesk.test", "wss://zapdesk.test"},
    "object-src": {"'none'"},
    "base-uri": {"'none'"},
    "frame-ancestors": {"'none'"},
}


def directives(policy: str) -> dict[str, set[str]]:
    parsed: dict[str, set[str]] = {}
    for directive in filter(None, (part.strip() for part in policy.split(";"))):
        name, *sources = directive.split()
        parsed[name] = set(sources)
    return parsed


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The assembled server (web UI, API, Socket.IO); no database is needed for what is asked here."""
    context = AppContext.from_settings(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'none.db'}", tmp_path))
    try:
        async with asgi_client(assemble_server(context).asgi) as client:
            yield client
    finally:
        await context.close()


ANSWERS = {
    "web UI": ("GET", "/"),
    "web UI route": ("GET", "/tickets/42"),
    "missing asset": ("GET", "/assets/nothing-here.js"),
    "API refusal": ("GET", "/api/auth/me"),
    "API docs": ("GET", "/api/docs"),
    "API schema": ("GET", "/api/openapi.json"),
    "unknown API path": ("GET", "/api/nothing-here"),
    "Socket.IO polling": ("GET", "/socket.io/?EIO=4&transport=polling"),
    "metrics": ("GET", "/metrics"),
}


async def test_every_kind_of_answer_carries_the_security_headers(server: httpx.AsyncClient) -> None:
    seen = {}
    for kind, (method, path) in ANSWERS.items():
        headers = (await server.request(method, path)).headers
        policy = directives(headers.get("content-security-policy", ""))
        seen[kind] = (
            headers.get("x-content-type-options"),
            headers.get("x-frame-options"),
            headers.get("referrer-policy"),
            {name: policy.get(name) for name in EXPECTED_DIRECTIVES},
        )

    assert seen == dict.fromkeys(ANSWERS, ("nosniff", "DENY", "no-referrer", EXPECTED_DIRECTIVES))


async def test_a_body_refused_as_too_large_carries_them_too(server: httpx.AsyncClient) -> None:
    response = await server.post("/api/contacts", content=b"{" + b" " * 2_000_000 + b"}")

    assert response.status_code == 413
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    "host", ["evil.example; script-src *", "x' 'unsafe-inline", "a b", "evil.example\tscript-src", ""]
)
def test_a_host_header_cannot_write_into_the_policy(host: str) -> None:
    policy = directives(content_security_policy("/", host))

    assert policy["connect-src"] == {"'self'"}
    assert policy["script-src"] == {"'self'"}
    assert set(policy) == set(EXPECTED_DIRECTIVES) | {"font-src", "form-action"}


@pytest.mark.parametrize(
    ("docs", "schema"), [("/api/docs", "/api/openapi.json"), ("/simulator/docs", "/simulator/openapi.json")]
)
async def test_a_docs_page_loads_only_files_of_this_server(server: httpx.AsyncClient, docs: str, schema: str) -> None:
    page = await server.get(docs)
    references = [urljoin(docs, reference) for reference in re.findall(r'(?:src|href)="([^"]+)"', page.text)]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S)

    assert page.status_code == 200
    assert references and all(reference.startswith(f"{docs}/") for reference in references)
    assert scripts and all('src="' in attributes and not body.strip() for attributes, body in scripts)
    for reference in references:
        asset = await server.get(reference)
        assert asset.status_code == 200, reference
    start = await server.get(f"{docs}/start.js")
    assert start.headers["content-type"].startswith("text/javascript")
    (relative_schema,) = re.findall(r'url: "([^"]+)"', start.text)
    assert urljoin(docs, relative_schema) == schema
    assert (await server.get(schema)).json()["openapi"].startswith("3.")
    bundle = await server.get(f"{docs}/assets/swagger-ui-bundle.js")
    assert bundle.headers["content-type"].startswith(("text/javascript", "application/javascript"))
