"""Sending files (`POST /api/tickets/{id}/messages` as multipart) and reading them back (`GET .../media`).

The type comes from the bytes, never from the name or the declared type; a file over the limit is 413; a
sender's file name never becomes a path; a file is served only to those who may see its ticket, with
`nosniff`, a sandboxing policy and a Content-Disposition no name can break out of.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.security.asgi_session import asgi_client
from tests.tickets.factories import Desk
from zapdesk.app import assemble_server
from zapdesk.tickets.models import Ticket

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(48)
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
WINDOWS_EXE = b"MZ\x90\x00" + bytes(60) + b"This program cannot be run in DOS mode."
ELF = b"\x7fELF\x02\x01\x01" + bytes(57)
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
STORED_NAME = re.compile(r"[0-9]{4}/[0-9]{2}/[0-9a-f]{32}\.[a-z0-9]{1,8}")
UPLOAD_LIMIT = 64 * 1024


@pytest.fixture
async def http(desk: Desk) -> AsyncIterator[httpx.AsyncClient]:
    desk.context.settings.max_upload_bytes = UPLOAD_LIMIT  # read when the server is assembled
    async with asgi_client(assemble_server(desk.context).asgi) as client:
        yield client


@pytest.fixture
async def ticket(desk: Desk) -> Ticket:
    return await desk.guarded_ticket()


async def send_file(
    http: httpx.AsyncClient, desk: Desk, ticket: Ticket, name: str, data: bytes, declared: str
) -> httpx.Response:
    return await http.post(
        f"/api/tickets/{ticket.id}/messages",
        files={"file": (name, data, declared)},
        data={"body": "segue o arquivo"},
        headers=desk.auth_headers(desk.agent_in_queue),
    )


def stored_files(desk: Desk) -> list[str]:
    root = desk.context.settings.media_dir
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@pytest.mark.parametrize(
    ("name", "data", "declared"),
    [
        ("photo.png", WINDOWS_EXE, "image/png"),
        ("relatorio.pdf", ELF, "application/pdf"),
        ("setup.exe", WINDOWS_EXE, "application/octet-stream"),
    ],
    ids=["exe-named-png", "elf-named-pdf", "exe"],
)
async def test_executables_are_refused_whatever_they_are_called(
    http: httpx.AsyncClient, desk: Desk, ticket: Ticket, name: str, data: bytes, declared: str
) -> None:
    response = await send_file(http, desk, ticket, name, data, declared)

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert stored_files(desk) == []


async def test_the_type_comes_from_the_bytes_not_the_name(http: httpx.AsyncClient, desk: Desk, ticket: Ticket) -> None:
    picture = await send_file(http, desk, ticket, "invoice.exe", PNG, "application/x-msdownload")
    page = await send_file(http, desk, ticket, "photo.png", HTML, "image/png")

    assert picture.status_code == 201, picture.text
    assert (picture.json()["type"], picture.json()["media_mime"]) == ("image", "image/png")
    assert page.status_code == 201, page.text
    # Markup is text: kept as a plain-text document, never served as a page or a picture.
    assert (page.json()["type"], page.json()["media_mime"]) == ("document", "text/plain")
    assert all(STORED_NAME.fullmatch(name) for name in stored_files(desk))
    assert {Path(name).suffix for name in stored_files(desk)} == {".png", ".txt"}


async def test_a_file_over_the_limit_is_413_and_leaves_nothing_behind(
    http: httpx.AsyncClient, desk: Desk, ticket: Ticket
) -> None:
    just_over = PDF + bytes(UPLOAD_LIMIT + 1 - len(PDF))
    far_over = PDF + bytes(4 * UPLOAD_LIMIT)

    answers = [
        await send_file(http, desk, ticket, "big.pdf", data, "application/pdf") for data in (just_over, far_over)
    ]

    assert [answer.status_code for answer in answers] == [413, 413]
    assert all(answer.json()["code"] in ("payload_too_large", "file_too_large") for answer in answers)
    assert stored_files(desk) == []


HOSTILE_NAMES = [
    "../../../../etc/passwd",
    "/etc/passwd",
    "..\\..\\windows\\win.ini",
    "C:\\Windows\\System32\\drivers\\etc\\hosts",
    "photo\x00.png",
    "a" * 300 + ".png",
    "..",
    "./.htaccess",
    'evil".png\r\nX-Injected: yes',
    "%2e%2e%2fsecret.png",
]


async def test_sender_file_names_never_reach_the_filesystem(
    http: httpx.AsyncClient, desk: Desk, ticket: Ticket, tmp_path: Path
) -> None:
    before = {path for path in tmp_path.rglob("*")}
    names = []
    for hostile in HOSTILE_NAMES:
        response = await send_file(http, desk, ticket, hostile, PNG, "image/png")
        assert response.status_code == 201, (hostile, response.text)
        names.append(response.json()["media_name"])

    created = {path for path in tmp_path.rglob("*")} - before
    media_dir = desk.context.settings.media_dir
    assert (
        sorted(str(path) for path in created if not path.is_relative_to(media_dir) and path not in media_dir.parents)
        == []
    )
    assert len(stored_files(desk)) == len(HOSTILE_NAMES)
    assert all(STORED_NAME.fullmatch(name) for name in stored_files(desk))
    for shown in names:
        assert shown and len(shown) <= 120
        assert not set(shown) & set('/\\\x00\r\n"'), shown
        assert shown not in ("..", ".")


async def test_a_name_too_long_for_a_multipart_header_is_a_clean_4xx(
    http: httpx.AsyncClient, desk: Desk, ticket: Ticket
) -> None:
    response = await send_file(http, desk, ticket, "a" * 20_000 + ".png", PNG, "image/png")

    assert 400 <= response.status_code < 500
    assert response.json()["code"]
    assert stored_files(desk) == []


async def test_a_file_is_served_only_to_those_who_may_see_its_ticket(
    http: httpx.AsyncClient, desk: Desk, ticket: Ticket
) -> None:
    sent = await send_file(http, desk, ticket, 'quote"d\r\nX-Injected: 1.pdf', PDF, "application/pdf")
    assert sent.status_code == 201, sent.text
    url = f"/api/messages/{sent.json()['id']}/media"

    answers = {
        persona: await http.get(url, headers=desk.headers(persona))
        for persona in ("anonymous", "agent_not_in_queue", "agent_in_queue", "assignee", "admin")
    }

    assert {persona: answer.status_code for persona, answer in answers.items()} == {
        "anonymous": 401,
        "agent_not_in_queue": 404,  # as if it did not exist
        "agent_in_queue": 200,
        "assignee": 200,
        "admin": 200,
    }
    assert answers["agent_not_in_queue"].json()["code"] == "media_not_found"
    served = answers["agent_in_queue"]
    assert served.content == PDF
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in served.headers["content-security-policy"]
    assert "x-injected" not in served.headers
    disposition = served.headers["content-disposition"]
    # One header, one parameter: a plain quoted name, or RFC 5987's percent-encoded form.
    assert re.fullmatch(r"attachment; (filename=\"[^\"\\\r\n/]+\"|filename\*=utf-8''[\w%.~-]+)", disposition), (
        disposition
    )


async def test_a_text_file_is_offered_as_a_plain_text_download(
    http: httpx.AsyncClient, desk: Desk, ticket: Ticket
) -> None:
    sent = await send_file(http, desk, ticket, "page.html", HTML, "text/html")
    served = await http.get(f"/api/messages/{sent.json()['id']}/media", headers=desk.headers("admin"))

    assert served.headers["content-type"].startswith("text/plain")
    assert served.headers["content-disposition"].startswith("attachment;")
    assert served.headers["x-content-type-options"] == "nosniff"
