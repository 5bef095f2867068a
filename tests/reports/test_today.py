"""Where the dashboard's "today" ends: on the workspace's date, whatever zone the agent's browser is in."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from tests.tickets.factories import Desk
from zapdesk.kit.clock import ManualClock, using_clock

# 01:30 in London is still the evening before in São Paulo and already the morning in Tokyo.
LATE_EVENING_IN_BRAZIL = datetime(2026, 12, 2, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(("zone", "today"), [("America/Sao_Paulo", "2026-12-01"), ("Asia/Tokyo", "2026-12-02")])
async def test_waiting_now_gives_todays_date_in_the_workspaces_time_zone(
    client: httpx.AsyncClient, desk: Desk, zone: str, today: str
) -> None:
    headers = desk.headers("admin")
    saved = await client.put("/api/settings/timezone", json={"value": zone}, headers=headers)
    assert saved.status_code == 200, saved.text

    with using_clock(ManualClock(start=LATE_EVENING_IN_BRAZIL)):
        response = await client.get("/api/reports/now", headers=headers)

    assert response.status_code == 200, response.text
    assert {key: response.json()[key] for key in ("today", "tz")} == {"today": today, "tz": zone}
