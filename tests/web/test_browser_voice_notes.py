"""A voice note recorded in Chromium (a fake microphone playing a WAV this test writes) reaches the simulated
customer phone as push-to-talk OGG/Opus with a plausible duration, and plays in the page at the speed chosen."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Playwright, expect

from tests.chromium import launch_options
from tests.media.samples import spoken_wav
from tests.web.conftest import Api, Tab, sign_in

pytestmark = pytest.mark.browser

BUSINESS = "5511999990801"
CUSTOMER = "5521977770801"


@pytest.fixture(scope="module")
def browser(playwright_instance: Playwright, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """Chromium with a microphone that plays a tone, granted without asking."""
    home = tmp_path_factory.mktemp("chromium-voice")
    tone = home / "tone.wav"
    tone.write_bytes(spoken_wav(3, rate=16000))
    options = launch_options(home)
    options["args"] = [
        *options["args"],
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={Path(tone)}",
    ]
    browser = playwright_instance.chromium.launch(**options)
    yield browser
    browser.close()


def test_a_recorded_voice_note_arrives_as_ptt_opus_and_plays_in_the_page(
    open_tab: Callable[..., Tab], admin_api: Api, server_url: str
) -> None:
    admin_api.linked_connection("Voz", BUSINESS)
    admin_api.customer_says(CUSTOMER, BUSINESS, "Pode me mandar um áudio explicando?", name="Lia Voz")
    tab = open_tab()
    page = sign_in(tab, path="/tickets?tab=pending")
    page.get_by_test_id("ticket-row").filter(has_text="Lia Voz").click()
    page.get_by_test_id("accept-button").click()

    page.get_by_test_id("record-button").click()
    expect(page.get_by_test_id("voice-timer")).to_have_text("0:02", timeout=10_000)  # the timer runs
    page.get_by_test_id("send-voice").click()

    voice = page.locator("[data-testid=message][data-type=voice]")
    expect(voice).to_have_attribute("data-status", "delivered", timeout=20_000)
    [received] = admin_api.wait_for("the voice note on the phone", lambda: admin_api.received_by(CUSTOMER))
    assert received["kind"] == "voice"
    assert 2 <= received["body"]["seconds"] <= 4
    url = str(received["body"]["url"])
    audio = httpx.get(url if url.startswith("http") else f"{server_url}/simulator{url}")
    assert audio.content.startswith(b"OggS") and b"OpusHead" in audio.content[:200]

    speed = voice.get_by_test_id("voice-speed")
    expect(voice.get_by_test_id("message-audio")).to_be_attached()
    speed.click()
    expect(speed).to_have_text("1.5\u00d7")  # 1.5×
    rate = voice.get_by_test_id("message-audio").evaluate("audio => audio.playbackRate")
    assert rate == 1.5
    assert tab.errors == []
