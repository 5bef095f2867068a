"""(b) End-to-end latency on PostgreSQL: from a customer's send (the POST to the simulator) to the agent's
Socket.IO `message.created`, at a fixed offered load.

The load is open-loop: message i is due at start + i / rate whatever happened to the ones before, the way
customers do not wait for each other, and its latency counts from that moment (a send the load generator could
only start late is late for the customer too). Chats are already open (one warm-up message each), so the figures are the
steady state of ongoing conversations. A message not received within `GRACE_SECONDS` after the last send counts
as slower than anything measured (the percentiles then read "> grace").
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import time
from pathlib import Path

import aiohttp

from bench.report import Report, percentile
from bench.stack import BUSINESS, Stack, TimedInbox, database, running_stack
from tests.system.harness import Api, eventually

# Messages per second: light loads for comparison, then the target's (last: what it leaves queued is not waited for).
RATES = (5, 20, 200)
TARGET_RATE = 200
SECONDS = float(os.environ.get("BENCH_LATENCY_SECONDS", "10"))
GRACE_SECONDS = float(os.environ.get("BENCH_LATENCY_GRACE", "20"))
CHATS = 50
SENDERS = 64
TARGET_P99_MS = 100.0
AGENT_EMAIL, AGENT_PASSWORD = "agent@zapdesk.test", "bench-agent-password"


def customer(run: int, chat: int) -> str:
    return f"553{run}{chat:08d}"


async def run(workdir: Path) -> Report:
    report = Report(
        "latency",
        f"(b) Customer send → agent's message.created, PostgreSQL, {SECONDS:g} s per load (ms)",
        ["offered msg/s", "sent", "received", "achieved msg/s", "p50", "p95", "p99", "max"],
    )
    async with database("postgresql", workdir) as url, running_stack(url, workdir) as stack:
        await stack.link()
        agent = await _agent(stack)
        inbox = await TimedInbox().connect(stack.server.url, agent.token)
        try:
            for run_number, rate in enumerate(RATES, start=1):
                await _measure(stack, inbox, run_number, rate, report, drain=rate != RATES[-1])
        finally:
            await inbox.close()
            await agent.close()
    report.notes.append(
        f"open-loop load from {CHATS} customers with open tickets; latency = POST to the simulator → event on an "
        f"agent's socket; not received within {GRACE_SECONDS:g} s of the last send counts as slower than that."
    )
    return report


async def _agent(stack: Stack) -> Api:
    """An agent: tickets without a queue are pending for every agent, so the agent's socket sees them."""
    body = {"name": "Agente", "email": AGENT_EMAIL, "password": AGENT_PASSWORD, "role": "agent"}
    await stack.admin.post("/api/users", body, expect=201)
    return await Api(stack.server.url).login(AGENT_EMAIL, AGENT_PASSWORD)


async def _measure(stack: Stack, inbox: TimedInbox, run_number: int, rate: int, report: Report, *, drain: bool) -> None:
    simulator = stack.simulator
    phones = [customer(run_number, chat) for chat in range(CHATS)]
    # Warm-up: each customer opens a ticket, so the measured messages are replies in ongoing chats.
    await asyncio.gather(*(simulator.customer_writes(phone, BUSINESS, "oi", name=f"C{phone[-3:]}") for phone in phones))
    await eventually(
        lambda: _tickets_announced(inbox, phones),
        timeout=120,
        what=f"the warm-up messages of run {run_number}",
    )

    prefix = f"lat {run_number} "
    total = int(rate * SECONDS)
    start = time.perf_counter() + 0.2
    scheduled = [start + index / rate for index in range(total)]
    sent = accepted = failed = 0
    # A fixed crew of senders on a client of the same width: thousands of requests queued inside an HTTP client
    # would cost this process more CPU than the system under test gets.
    http = aiohttp.ClientSession(
        base_url=stack.network.url,
        connector=aiohttp.TCPConnector(limit=SENDERS),
        timeout=aiohttp.ClientTimeout(total=SECONDS + GRACE_SECONDS),
    )
    indexes = iter(range(total))

    async def sender() -> None:
        nonlocal sent, accepted, failed
        for index in indexes:
            await asyncio.sleep(max(0.0, scheduled[index] - time.perf_counter()))
            body = {"from": phones[index % CHATS], "to": BUSINESS, "text": f"{prefix}{index}"}
            sent += 1
            try:
                async with http.post("/api/messages", json=body) as response:
                    response.raise_for_status()
                accepted += 1
            except (aiohttp.ClientError, TimeoutError):
                failed += 1

    sending = asyncio.gather(*(sender() for _ in range(SENDERS)))
    deadline = start + SECONDS + GRACE_SECONDS
    while time.perf_counter() < deadline and len(_arrivals(inbox, prefix)) < total:
        await asyncio.sleep(0.1)
    sending.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sending
    await http.close()
    arrivals = _arrivals(inbox, prefix)
    # From when the customer meant to send (not when a busy sender got to it): a late start is latency too.
    latencies = [(arrivals[index] - scheduled[index]) * 1000 for index in arrivals]
    # Never received: slower than anything seen, so they push the high percentiles up rather than vanish.
    samples = latencies + [math.inf] * (total - len(latencies))
    figures = {name: percentile(samples, fraction) for name, fraction in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))}
    last = max(arrivals.values(), default=start)
    achieved = len(arrivals) / (last - start) if arrivals else 0.0
    target = "p99 ≤ 100 ms" if rate == TARGET_RATE else ""
    ok = figures["p99"] <= TARGET_P99_MS if rate == TARGET_RATE else None
    report.add(
        target,
        ok,
        **{
            "offered msg/s": rate,
            "sent": sent,
            "received": len(arrivals),
            "achieved msg/s": achieved,
            **{name: _ms(value) for name, value in figures.items()},
            "max": _ms(max(samples)),
        },
    )
    report.details[f"rate_{rate}"] = {
        "sent": sent,
        "not_accepted": failed,
        "latencies_ms": [round(value, 1) for value in sorted(latencies)],
    }
    if drain:
        # What is still queued drains before the next load, so that one starts from an idle system.
        await eventually(lambda: _all_in(inbox, prefix, accepted), timeout=300, what=f"the rest of run {run_number}")


def _ms(value: float) -> float | str:
    return f"> {GRACE_SECONDS * 1000:,.0f}" if math.isinf(value) else value


def _arrivals(inbox: TimedInbox, prefix: str) -> dict[int, float]:
    """Index of each measured message → when its `message.created` reached the agent."""
    found: dict[int, float] = {}
    for at, name, data in inbox.arrivals:
        body = str(data.get("body", ""))
        if name == "message.created" and body.startswith(prefix):
            found.setdefault(int(body[len(prefix) :]), at)
    return found


async def _tickets_announced(inbox: TimedInbox, phones: list[str]) -> bool:
    """Every warm-up ticket has announced its first message (`ticket.created` names the contact's phone)."""
    seen = {
        str(data.get("contact", {}).get("phone")) for _at, name, data in inbox.arrivals if name.startswith("ticket.")
    }
    return all(phone in seen for phone in phones)


async def _all_in(inbox: TimedInbox, prefix: str, total: int) -> bool:
    return len(_arrivals(inbox, prefix)) >= total
