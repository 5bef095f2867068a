"""Business hours with a customer on the simulator's network, at instants the test sets (nothing sleeps):
the out-of-hours message goes out exactly when the business is closed on the workspace's wall clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.automation.live.conftest import LiveDesk
from tests.tickets.factories import Desk, build_desk
from zapdesk.context import AppContext
from zapdesk.db.uow import unit_of_work
from zapdesk.settings.service import TIMEZONE, set_setting

CLOSED = "Estamos fechados agora. Atendemos de segunda a sexta, das 8h às 18h."
WEEKDAY = [{"start": "08:00", "end": "12:00"}, {"start": "13:30", "end": "18:00"}]
HOURS: dict[str, Any] = {
    "enabled": True,
    "days": {"mon": WEEKDAY, "tue": WEEKDAY, "wed": WEEKDAY, "thu": WEEKDAY, "fri": WEEKDAY},
    "exceptions": [{"date": "2026-12-25", "label": "Natal", "intervals": []}],
    "message": CLOSED,
    "repeat_hours": 4,
}
SAO_PAULO = ZoneInfo("America/Sao_Paulo")


@pytest.fixture
async def desk(context: AppContext, auth_headers: Any) -> Desk:
    return await build_desk(context, auth_headers)


async def _open_for_business(live: LiveDesk, desk: Desk, hours: dict[str, Any] = HOURS) -> None:
    await live.linked_connection(desk.headers("admin"), queue_ids=[desk.queue.id], automation={"hours": hours})


def _sao_paulo(day: str, time: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=SAO_PAULO)


@pytest.mark.parametrize(
    ("when", "replies"),
    [
        (_sao_paulo("2026-12-07", "07:59"), [CLOSED]),  # a Monday, a minute before opening
        (_sao_paulo("2026-12-07", "08:00"), []),  # opening time
        (_sao_paulo("2026-12-07", "12:30"), [CLOSED]),  # lunch
        (_sao_paulo("2026-12-07", "17:59"), []),
        (_sao_paulo("2026-12-12", "10:00"), [CLOSED]),  # a Saturday
        (_sao_paulo("2026-12-25", "10:00"), [CLOSED]),  # Christmas, a Friday: the exception closes it
    ],
    ids=["monday-07:59", "monday-08:00", "monday-12:30", "monday-17:59", "saturday", "christmas"],
)
async def test_a_first_message_gets_the_out_of_hours_reply_exactly_when_closed_in_sao_paulo(
    live: LiveDesk, desk: Desk, when: datetime, replies: list[str]
) -> None:
    await _open_for_business(live, desk)
    live.automaton.now = when

    await live.customer_says("5511988887777", "Oi, vocês estão abertos?")

    await live.receives("5511988887777", replies)


async def test_the_wall_clock_of_another_zone_follows_its_daylight_saving_change(live: LiveDesk, desk: Desk) -> None:
    """New York moves its clocks forward on Sunday 8 March 2026: 12:30 UTC is 07:30 the Monday before (closed)
    and 08:30 the Monday after (open)."""
    async with unit_of_work(live.context.sessionmaker) as session:
        await set_setting(session, TIMEZONE.name, "America/New_York")
    await _open_for_business(live, desk)

    live.automaton.now = datetime.fromisoformat("2026-03-02T12:30:00+00:00")
    await live.customer_says("5511988880001", "Hello?")
    live.automaton.now = datetime.fromisoformat("2026-03-09T12:30:00+00:00")
    await live.customer_says("5511988880002", "Hello?")

    await live.receives("5511988880001", [CLOSED])
    await live.receives("5511988880002", [])


async def test_repeated_messages_out_of_hours_get_one_reply_every_few_hours(live: LiveDesk, desk: Desk) -> None:
    await _open_for_business(live, desk)
    live.automaton.now = _sao_paulo("2026-12-07", "20:00")

    await live.customer_says("5511988887777", "Oi")
    live.automaton.now = _sao_paulo("2026-12-07", "21:00")
    await live.customer_says("5511988887777", "Alguém aí?")
    live.automaton.now = _sao_paulo("2026-12-07", "23:59")
    await live.customer_says("5511988887777", "???")
    await live.receives("5511988887777", [CLOSED])

    live.automaton.now = _sao_paulo("2026-12-08", "00:00")  # four hours after the reply
    await live.customer_says("5511988887777", "Ainda esperando")

    await live.receives("5511988887777", [CLOSED, CLOSED])
