"""The web app's API and event types (web/src/api/schema.gen.ts) are what the server's OpenAPI document says now:
a schema changed without `make types` fails here, before the web app reads a field the server no longer sends."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GENERATOR = REPO / "web" / "scripts" / "generate-types.mjs"


def test_generated_web_types_match_the_servers_schema() -> None:
    node = shutil.which("node")
    if node is None or not (REPO / "web" / "node_modules" / "openapi-typescript").is_dir():
        pytest.fail("The web app's packages are missing: run `make web` (or `cd web && npm ci`).")
    check = subprocess.run(
        [node, str(GENERATOR), "--check"],
        cwd=REPO / "web",
        env={**os.environ, "ZAPDESK_PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert check.returncode == 0, check.stderr + check.stdout
