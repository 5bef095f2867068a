"""The README's first command: `make run` serves zapdesk on port 3001 with SQLite and prints the admin login."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.system.harness import eventually

REPOSITORY = Path(__file__).resolve().parents[2]
LOGIN_LINE = re.compile(r"zapdesk admin login: (\S+) / (\S+)")


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


async def test_make_run_serves_the_ui_and_the_docs_on_3001_and_prints_a_working_admin_login(tmp_path: Path) -> None:
    if not _port_free(3001):
        pytest.fail("port 3001 is taken: `make run` needs it")
    log_path = tmp_path / "make-run.log"
    env = {**os.environ, "DATA_DIR": str(tmp_path / "data"), "AUTH_SESSIONS_DIR": str(tmp_path / "auth")}
    for name in ("DATABASE_URL", "PORT", "ADMIN_PASSWORD", "NODE_ENV", "ZAPDESK_ENV"):
        env.pop(name, None)
    with log_path.open("wb") as log:
        make = subprocess.Popen(
            ["make", "--no-print-directory", "run"],
            cwd=REPOSITORY,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        async with httpx.AsyncClient(base_url="http://127.0.0.1:3001", timeout=5) as client:

            async def login_printed() -> re.Match[str] | None:
                assert make.poll() is None, log_path.read_text(errors="replace")[-4000:]
                return LOGIN_LINE.search(log_path.read_text(errors="replace"))

            email, password = (await eventually(login_printed, timeout=240, what="the admin login")).groups()

            async def healthy() -> bool:
                try:
                    return (await client.get("/api/health")).status_code == 200
                except httpx.HTTPError:
                    return False

            await eventually(healthy, timeout=60, what="zapdesk on port 3001")
            home = await client.get("/")
            docs = await client.get("/api/docs")
            login = await client.post("/api/auth/login", json={"email": email, "password": password})
        assert home.status_code == 200 and '<div id="root">' in home.text
        assert docs.status_code == 200 and "swagger" in docs.text.lower()
        assert login.status_code == 200
        assert login.json()["user"]["role"] == "admin"
        assert (tmp_path / "data" / "zapdesk.db").exists()
    finally:
        os.killpg(make.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        while make.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
