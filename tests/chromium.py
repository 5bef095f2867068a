"""How every browser test launches Debian's Chromium: headless, quiet on the network, and writing only under a
temporary home of its own (left alone, it keeps crash reports and caches under the user's ~/.config and ~/.cache)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("ZAPDESK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch_options(home: Path) -> dict[str, Any]:
    """Keyword arguments for Playwright's `chromium.launch` (sync or async), with `home` (a temporary directory) as
    the browser's home; fails the test when no Chromium is installed."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs it (apt-get install chromium).")
    home.mkdir(parents=True, exist_ok=True)
    environment = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
    }
    return {"executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS, "env": environment}
