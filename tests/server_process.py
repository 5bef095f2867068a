"""A zapdesk server as a separate process (`zapdesk run` as a user starts it), for tests that need the real thing.

    with server_process([python, "-m", "zapdesk", "run"], env=env, cwd=data, log=data / "server.log", port=port):
        httpx.get(f"http://127.0.0.1:{port}/")

It runs in a process group of its own, so its engine workers stop with it; the block starts once
`/api/health` answers 200, and a server that exits or stays silent first fails with the end of its log.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx


@contextmanager
def server_process(
    argv: Sequence[str | Path],
    *,
    env: Mapping[str, str],
    cwd: Path,
    log: Path,
    port: int,
    startup_seconds: float = 90,
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as output:
        process = subprocess.Popen(
            list(argv), cwd=cwd, env=dict(env), stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_until_healthy(f"http://127.0.0.1:{port}", process, log, startup_seconds)
        yield process
    finally:
        _stop(process)


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"zapdesk exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)  # polling a process that starts, not waiting for time to pass
    raise RuntimeError(f"zapdesk did not become healthy in {seconds} s:\n{log.read_text()[-4000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
