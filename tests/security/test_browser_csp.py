"""Under the real Content-Security-Policy, in Chromium: the built web UI signs in and opens its Socket.IO
connection, and the API docs render, with no policy violation and no request to another origin.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.chromium import launch_options
from tests.conftest import TEST_PASSWORD, MakeUser
from tests.live_server import LiveServer
from zapdesk.realtime.rooms import user_room
from zapdesk.users.models import Role
from zapdesk.web import DEFAULT_DIST_DIR

# Recorded by the page itself; DevTools-injected scripts are exempt from the page's policy.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""

pytestmark = [
    pytest.mark.browser,
    # One database is enough: this is about what the browser is allowed to do.
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


@dataclass
class Visit:
    page: Page
    origin: str
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def violations(self) -> list[str]:
        found: list[str] = await self.page.evaluate("window.__violations")
        return found


@pytest.fixture(scope="module")
async def browser(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**launch_options(tmp_path_factory.mktemp("chromium-home")))
        yield browser
        await browser.close()


@pytest.fixture
async def visit(browser: Browser, live_server: LiveServer) -> AsyncIterator[Visit]:
    context = await browser.new_context(base_url=live_server.url)
    page = await context.new_page()
    await page.add_init_script(RECORD_VIOLATIONS)
    origin = live_server.url
    visit = Visit(page=page, origin=origin)

    def on_request(url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob"):
            return
        if f"{parts.scheme}://{parts.netloc}".replace("ws://", "http://") != origin:
            visit.foreign.append(url)

    page.on("request", lambda request: on_request(request.url))
    page.on("websocket", lambda socket: on_request(socket.url))
    page.on("pageerror", lambda error: visit.errors.append(str(error)))
    yield visit
    await context.close()


async def test_the_built_ui_signs_in_and_goes_live_under_the_policy(
    visit: Visit, live_server: LiveServer, make_user: MakeUser
) -> None:
    if not (DEFAULT_DIST_DIR / "index.html").is_file():
        pytest.fail("The web UI is not built: run `make web` (or `cd web && npm ci && npm run build`).")
    admin = await make_user(role=Role.ADMIN, email="csp@example.com")
    page = visit.page

    await page.goto("/")
    await page.get_by_test_id("login-email").fill(admin.email)
    await page.get_by_test_id("login-password").fill(TEST_PASSWORD)
    await page.get_by_test_id("login-submit").click()
    await expect(page.get_by_test_id("logout")).to_be_visible(timeout=15_000)

    rooms = live_server.assembled.realtime.sio.manager.rooms
    async with asyncio.timeout(10):  # the page's Socket.IO connection joined the admin's room
        while not rooms.get("/", {}).get(user_room(admin.id)):
            await asyncio.sleep(0.05)
    assert await visit.violations() == []
    assert visit.foreign == []
    assert visit.errors == []


async def test_the_simulator_api_docs_render_offline(visit: Visit) -> None:
    """A development tool under a looser policy (its phone page has inline script), but still of this server only."""
    await visit.page.goto("/simulator/docs")

    await expect(visit.page.locator(".swagger-ui .info .title")).to_contain_text("simulator", timeout=15_000)
    await expect(visit.page.locator(".opblock").first).to_be_visible()
    assert visit.foreign == []
    assert visit.errors == []


async def test_the_api_docs_render_offline_under_the_policy(visit: Visit) -> None:
    page = visit.page

    await page.goto("/api/docs")

    await expect(page.locator(".swagger-ui .info .title")).to_contain_text("zapdesk", timeout=15_000)
    await expect(page.locator(".opblock").first).to_be_visible()
    assert await visit.violations() == []
    assert visit.foreign == []
    assert visit.errors == []
    # The policy is really enforced (and the recorder really hears it): an injected inline script is blocked.
    await page.evaluate("document.body.appendChild(document.createElement('script')).textContent = 'window.x = 1'")
    assert await page.evaluate("window.x") is None
    assert any(violation.startswith("script-src") for violation in await visit.violations())
