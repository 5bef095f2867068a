"""Inbound events go to the handler without waiting for the earlier ones, within a number of calls and of bytes."""

from __future__ import annotations

import asyncio
from functools import partial

from zapdesk.db.base import utcnow
from zapdesk.engine.events import Chat, MediaContent, MediaKind, MessageReceived, Sender, TextContent
from zapdesk.engine.inflight import InFlight


def _message(number: int, *, file_bytes: int | None = None) -> MessageReceived:
    content = (
        TextContent(f"texto {number}")
        if file_bytes is None
        else MediaContent(kind=MediaKind.DOCUMENT, mime="application/pdf", data=b"%" * file_bytes)
    )
    return MessageReceived(
        external_id=f"M{number}",
        chat=Chat("5511988887777"),
        sender=Sender(phone="5511988887777"),
        from_me=False,
        timestamp=utcnow(),
        content=content,
    )


class Handler:
    """Records the order calls began in, and holds each until released."""

    def __init__(self) -> None:
        self.began: list[str] = []
        self.calls: list[asyncio.Future[None]] = []
        self.release = asyncio.Event()

    def call(self, event: MessageReceived) -> asyncio.Future[None]:
        async def handle() -> None:
            self.began.append(event.external_id)
            await self.release.wait()

        self.calls.append(asyncio.ensure_future(handle()))
        return self.calls[-1]


async def _run_what_can_run() -> None:
    """Let every task that is ready run until none is: all here is in-process asyncio (no I/O, no timers), so
    what has not happened after these turns is waiting on something, and no wall-clock time is involved."""
    for _ in range(50):
        await asyncio.sleep(0)


async def _start_all(in_flight: InFlight, handler: Handler, events: list[MessageReceived]) -> asyncio.Task[None]:
    async def start_each() -> None:
        for event in events:
            await in_flight.start(event, partial(handler.call, event))

    starting = asyncio.ensure_future(start_each())
    await _run_what_can_run()
    return starting


async def test_calls_begin_in_order_without_waiting_for_the_earlier_ones_and_settle_waits_for_all() -> None:
    in_flight, handler = InFlight(), Handler()
    starting = await _start_all(in_flight, handler, [_message(n) for n in range(3)])

    assert starting.done()
    assert handler.began == ["M0", "M1", "M2"]
    settled = asyncio.ensure_future(in_flight.settle())
    await _run_what_can_run()
    assert not settled.done()
    handler.release.set()
    await asyncio.wait_for(settled, 1)


async def test_no_more_calls_than_the_limit_run_at_once() -> None:
    in_flight, handler = InFlight(events=2), Handler()
    starting = await _start_all(in_flight, handler, [_message(n) for n in range(3)])

    assert handler.began == ["M0", "M1"]  # the third waits for room
    handler.release.set()
    await asyncio.wait_for(starting, 1)
    await in_flight.settle()
    assert handler.began == ["M0", "M1", "M2"]


async def test_downloaded_files_waiting_stay_within_the_byte_limit_but_a_larger_one_still_goes_alone() -> None:
    in_flight, handler = InFlight(size=10), Handler()
    events: list[MessageReceived] = [_message(0, file_bytes=8), _message(1, file_bytes=5), _message(2, file_bytes=50)]
    starting = await _start_all(in_flight, handler, events)
    assert handler.began == ["M0"]

    handler.release.set()
    await asyncio.wait_for(starting, 1)
    await in_flight.settle()
    assert handler.began == ["M0", "M1", "M2"]


async def test_cancel_stops_the_calls_still_running() -> None:
    in_flight, handler = InFlight(), Handler()
    await _start_all(in_flight, handler, [_message(0)])
    in_flight.cancel()
    await asyncio.wait_for(in_flight.settle(), 1)
    assert handler.began == ["M0"]
    assert handler.calls[0].cancelled()
