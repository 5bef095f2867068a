"""Browser tests: the real `zapdesk run` on a free port (temp SQLite, simulator engine) driven by Debian's Chromium.

Screenshots go to `test-results/web/` (ignored by git) so a person can look at what the tests saw.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import struct
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Dialog, Page, Playwright, expect, sync_playwright

from tests.chromium import launch_options
from tests.loopback import CLIENT_LIMITS
from tests.server_process import server_process
from tests.services import free_port
from zapdesk.engine import codec
from zapdesk.engine.events import Chat, MessageReceived, Sender, TextContent

REPO = Path(__file__).resolve().parents[2]
WEB_DIST = REPO / "web" / "dist"
SCREENSHOTS = REPO / "test-results" / "web"
ADMIN_EMAIL = "admin@zapdesk.test"
ADMIN_PASSWORD = "admin-password-123"
# QR codes rotate fast here so a test can watch the image change; a window still lasts 4 + 3 * 5 = 19 s. Files take
# a moment to download, as from WhatsApp's media servers, so a test can watch a photo arrive before its file.
SIMULATOR_TIMINGS = {
    "SIMULATOR_QR_FIRST_SECONDS": "4",
    "SIMULATOR_QR_NEXT_SECONDS": "3",
    "SIMULATOR_QR_CODES": "6",
    "SIMULATOR_MEDIA_DELAY_SECONDS": "2",
}

expect.set_options(timeout=15_000)


# The running server's data folder (its SQLite database), for arranging what no API creates (dead letters).
SERVER_DATA: dict[str, Path] = {}


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """`zapdesk run` as a newcomer starts it, on its own data folder; stopped (with its workers) at the end."""
    if not (WEB_DIST / "index.html").is_file():
        pytest.fail("The web UI is not built: run `make web` (or `cd web && npm ci && npm run build`).")
    # Not pytest's tmp_path: other pytest runs on this machine may prune those folders while the server runs.
    data = Path(tempfile.mkdtemp(prefix="zapdesk-web-"))
    SERVER_DATA["dir"] = data
    port = free_port()
    env = {
        **os.environ,
        "ZAPDESK_ENV": "test",
        # PORT, not only --port: the simulator engine reaches the in-process simulator through it.
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATA_DIR": str(data),
        "AUTH_SESSIONS_DIR": str(data / "auth_sessions"),
        "DATABASE_URL": f"sqlite+aiosqlite:///{data / 'zapdesk.db'}",
        "DIRECT_URL": "",
        "REDIS_URL": "",
        "JWT_SECRET": "browser-tests-access-secret-0123456789abcdef",
        "JWT_REFRESH_SECRET": "browser-tests-refresh-secret-0123456789abcdef",
        "ADMIN_EMAIL": ADMIN_EMAIL,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "SIMULATOR_ENABLED": "true",
        "SIMULATOR_URL": "",
        "LOGIN_ATTEMPTS_PER_MINUTE": "1000",
        "WEB_DIST_DIR": str(WEB_DIST),
        # The Cloud API channel talks to the fake Graph API of the simulator in this same server.
        "CLOUD_GRAPH_URL": f"http://127.0.0.1:{port}/simulator/graph",
        "SIMULATOR_CLOUD_RETRY_FIRST_SECONDS": "0.3",
        **SIMULATOR_TIMINGS,
    }
    log = data / "server.log"
    try:
        with server_process([sys.executable, "-m", "zapdesk", "run"], env=env, cwd=data, log=log, port=port):
            yield f"http://127.0.0.1:{port}"
    finally:
        # Kept next to the screenshots: what the server said is the first thing to read when a test fails.
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(log, SCREENSHOTS / "server.log")
        shutil.rmtree(data, ignore_errors=True)


# What the server said last, under a failed browser test's report: CI keeps the output, not the files.
SERVER_LOG_LINES = 60


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport() -> Generator[None, Any, Any]:
    report = yield
    log = SERVER_DATA["dir"] / "server.log" if "dir" in SERVER_DATA else None
    if report.failed and report.when == "call" and log is not None and log.is_file():
        tail = log.read_text(errors="replace").splitlines()[-SERVER_LOG_LINES:]
        report.sections.append((f"server log, last {len(tail)} lines", "\n".join(tail)))
    return report


@dataclass
class Api:
    """The REST API and the simulator's control API, for arranging what the browser then shows."""

    url: str
    token: str = ""
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=self.url, timeout=15, limits=CLIENT_LIMITS)

    def login(self, email: str, password: str) -> Api:
        response = self.client.post("/api/auth/login", json={"email": email, "password": password})
        response.raise_for_status()
        self.token = response.json()["access_token"]
        return self

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = self.client.request(method, path, headers=headers, **kwargs)
        assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def customer_says(self, customer: str, business: str, text: str, name: str | None = None, **extra: Any) -> str:
        body: dict[str, Any] = {"from": customer, "to": business, "text": text, **extra}
        if name:
            body["name"] = name
        return str(self.call("POST", "/simulator/api/messages", json=body)["id"])

    def received_by(self, phone: str) -> list[dict[str, Any]]:
        """What a customer phone received from businesses (its own messages left out), oldest first."""
        items = self.call("GET", f"/simulator/api/phones/{phone}/messages")["items"]
        return [message for message in items if not message["mine"]]

    def wait_for(self, what: str, check: Callable[[], Any], seconds: float = 20) -> Any:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}")

    def ticket_of(self, customer: str) -> dict[str, Any]:
        """The customer's newest ticket, once it exists."""

        def newest() -> dict[str, Any] | None:
            items = self.call("GET", "/api/tickets", params={"search": customer})["items"]
            return items[0] if items else None

        return dict(self.wait_for(f"a ticket of {customer}", newest))

    def qr_code(self, connection_id: int) -> str:
        def current() -> str | None:
            response = self.client.get(
                f"/api/connections/{connection_id}/qr", headers={"Authorization": f"Bearer {self.token}"}
            )
            return str(response.json()["code"]) if response.status_code == 200 else None

        return str(self.wait_for("a QR code", current))

    def linked_connection(self, name: str, phone: str, queue_ids: list[int] | None = None) -> dict[str, Any]:
        """A simulator connection, connected and scanned, the way the UI would do it."""
        connection = self.call(
            "POST", "/api/connections", json={"name": name, "provider": "simulator", "queue_ids": queue_ids or []}
        )
        self.call("POST", f"/api/connections/{connection['id']}/connect")
        self.call("POST", "/simulator/api/scan", json={"code": self.qr_code(connection["id"]), "phone": phone})
        self.wait_for(
            "the connection to be CONNECTED",
            lambda: self.call("GET", f"/api/connections/{connection['id']}")["status"] == "CONNECTED",
        )
        return dict(connection)


@pytest.fixture(scope="session")
def admin_api(server_url: str) -> Api:
    return Api(server_url).login(ADMIN_EMAIL, ADMIN_PASSWORD)


# Per module, not per session: sync Playwright keeps an event loop running in this thread while it is open,
# and the async tests of other modules (pytest-asyncio) cannot start theirs until it stops.
@pytest.fixture(scope="module")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def browser(playwright_instance: Playwright, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(**launch_options(tmp_path_factory.mktemp("chromium-home")))
    yield browser
    browser.close()


@dataclass
class Tab:
    """A signed-in (or not) browser page, with what went wrong in it: script errors and dialogs."""

    page: Page
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture
def open_tab(browser: Browser, server_url: str) -> Iterator[Callable[..., Tab]]:
    contexts = []

    def open_tab(locale: str = "pt-BR", width: int = 1280, height: int = 800, *, mobile: bool = False) -> Tab:
        """A new browser context; `mobile` makes it a touch phone (meta viewport honoured, no hover, coarse pointer)."""
        context = browser.new_context(
            base_url=server_url,
            locale=locale,
            viewport={"width": width, "height": height},
            is_mobile=mobile,
            has_touch=mobile,
        )
        contexts.append(context)
        tab = Tab(context.new_page())
        tab.page.on("pageerror", lambda error: tab.errors.append(str(error)))
        # A resource the Content-Security-Policy blocked is as broken as a script error.
        tab.page.on(
            "console",
            lambda message: (
                tab.errors.append(message.text)
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )

        def on_dialog(dialog: Dialog) -> None:
            tab.dialogs.append(dialog.message)
            dialog.dismiss()

        tab.page.on("dialog", on_dialog)
        return tab

    yield open_tab
    for context in contexts:
        context.close()


def sign_in(
    tab: Tab, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD, path: str = "/", *, live: bool = True
) -> Page:
    """Signed in at `path`; with `live`, also connected for real-time events (what the test does next reaches
    this tab as an event, not through a refetch that happens to come later)."""
    page = tab.page
    page.goto(path)
    page.get_by_test_id("login-email").fill(email)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    # The frame, not the logout button: on a phone that one waits in the folded menu.
    expect(page.get_by_test_id("app-shell")).to_be_visible()
    if live:
        expect(page.get_by_test_id("app-shell")).to_have_attribute("data-realtime", "online")
    return page


def dead_letter(connection_id: int, external_id: str, text: str, *, phone: str, name: str) -> None:
    """A message the running server could not store, as the worker keeps it when ingest raised on an event (the row
    `dead_letters.service.record` writes): no API makes one."""
    event = MessageReceived(
        external_id=external_id,
        chat=Chat(phone, name=name),
        sender=Sender(phone, push_name=name),
        from_me=False,
        timestamp=datetime.now(UTC),
        content=TextContent(text),
    )
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(SERVER_DATA["dir"] / "zapdesk.db") as db:
        db.execute(
            "INSERT INTO dead_letters (connection_id, kind, external_id, event, error, attempts, created_at,"
            " updated_at) VALUES (?, 'MessageReceived', ?, ?, 'KeyError: a bug since fixed', 1, ?, ?)",
            (connection_id, external_id, json.dumps(codec.encode(event)), now, now),
        )


def tiny_png(width: int = 48, height: int = 32) -> bytes:
    """A solid red PNG, made here so the tests need no fixture file."""
    rows = b"".join(b"\x00" + b"\xdc\x1e\x1e" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
