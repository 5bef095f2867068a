from __future__ import annotations

import asyncio
import sys

import pytest
import uvloop

from zapdesk.kit.event_loop import run


async def _running_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


def test_a_process_runs_on_uvloop_where_it_is_installed() -> None:
    assert isinstance(run(_running_loop()), uvloop.Loop)


def test_without_uvloop_a_process_runs_on_asyncio_s_own_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # as where it is not built: importing it fails
    loop = run(_running_loop())
    assert isinstance(loop, asyncio.BaseEventLoop)
    assert not isinstance(loop, uvloop.Loop)
