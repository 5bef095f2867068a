"""The engine host on its own: a program that cannot start is tried again ever more slowly, on the host's clock."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from zapdesk.engine.whatsapp.host import EngineHost, EngineProgramError, ProgramSpec
from zapdesk.kit.clock import ManualClock


async def test_a_program_that_cannot_start_is_tried_again_only_after_a_backoff(tmp_path: Path) -> None:
    clock = ManualClock()
    host = EngineHost(ProgramSpec(binary=tmp_path / "missing", store_location="unused"), clock=clock)
    with pytest.raises(EngineProgramError, match="missing"):
        await host.ensure_running()  # the first start is not delayed

    second = asyncio.ensure_future(host.ensure_running())
    await clock.until_sleeping()
    assert not second.done()  # waiting for its backoff, not knocking again at once
    await clock.advance(30.0)  # the backoff's cap
    with pytest.raises(EngineProgramError, match="missing"):
        await second
    await host.close()
