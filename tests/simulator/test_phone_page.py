"""The phone page in a real Chromium: a person links a business phone and plays a customer, safely."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright, expect

from tests.chromium import launch_options
from tests.simulator.harness import Engines, LiveSimulator, engines, simulator, simulator_config
from zapdesk.engine.events import (
    Chat,
    EngineState,
    MessageReceived,
    OutgoingMessage,
    QrCode,
    Receipt,
    ReceiptKind,
    SessionTarget,
    TextContent,
)

__all__ = ["engines", "simulator", "simulator_config"]  # fixtures the tests below use

pytestmark = pytest.mark.browser

BUSINESS = "5511900000001"
CUSTOMER = "5511999990001"
HOSTILE = "<img src=x onerror=\"document.title='pwned'\">"


@pytest.fixture
async def page(simulator: LiveSimulator, tmp_path: Path) -> AsyncIterator[Page]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**launch_options(tmp_path / "chromium-home"))
        page = await browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(f"{simulator.url}/")
        yield page
        await browser.close()
    assert errors == []


async def test_a_person_scans_for_a_waiting_device_and_chats_as_a_customer(
    page: Page, simulator: LiveSimulator, engines: Engines
) -> None:
    engine, recorder = engines.new()
    await engine.start(SessionTarget())
    await recorder.wait_for(QrCode)
    await page.locator("#business").fill(BUSINESS)
    await page.locator("#customer").fill(CUSTOMER)
    await page.locator("#customer-name").fill("Ana")
    await page.locator("#customer-name").press("Tab")

    await page.get_by_role("button", name=f"Scan with phone +{BUSINESS}").click()
    await recorder.wait_for_state(EngineState.CONNECTED)
    await page.locator("#text").fill(HOSTILE)
    await page.get_by_role("button", name="Send", exact=True).click()

    received = await recorder.wait_for(MessageReceived)
    assert received.content == TextContent(HOSTILE)
    assert received.sender.push_name == "Ana"
    reply = await engine.send(Chat(CUSTOMER), OutgoingMessage(message_id=engine.new_message_id(), text=HOSTILE))
    await expect(page.locator(".msg:not(.mine)").filter(has_text=HOSTILE)).to_be_visible()
    # "Read replies as they arrive" is on: the business gets a read receipt.
    read = await recorder.wait_for(Receipt, lambda receipt: receipt.kind is ReceiptKind.READ)
    assert read.external_ids == (reply.external_id,)
    assert await page.title() != "pwned"
    assert await page.locator(".msg img").count() == 0
