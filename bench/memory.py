"""(d) Memory: resident memory of the server and its engine worker (the simulator runs apart and is not counted)
with 100 connected simulated sessions, then with 1,000 idle agent sockets on top.

A session's cost is measured beyond the engine's own baseline: the step from 1 linked session (every module an
engine needs is loaded) to 100. Sockets are raw Engine.IO/Socket.IO v4 WebSocket clients (handshake with the
agent's token, answering pings, nothing else), so 1,000 of them fit in this one process.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
from pathlib import Path

import aiohttp

from bench.report import Report
from bench.stack import Stack, database, running_stack
from tests.system.harness import Api, all_pages, link_connection

SESSIONS = int(os.environ.get("BENCH_MEMORY_SESSIONS", "100"))
SOCKETS = int(os.environ.get("BENCH_MEMORY_SOCKETS", "1000"))
AGENTS = 10
LINK_AT_ONCE = 10
OPEN_AT_ONCE = 50
TARGET_MB_PER_SESSION = 2.0
SETTLE_SECONDS = 3.0


def business(index: int) -> str:
    return f"5511955{index:06d}"


async def run(workdir: Path) -> Report:
    report = Report(
        "memory",
        "(d) Server memory: `zapdesk run` + engine worker, resident (RSS), PostgreSQL",
        ["state", "RSS MB", "per item"],
    )
    async with database("postgresql", workdir) as url, running_stack(url, workdir) as stack:
        baseline = await _settled_rss(stack)
        report.add(state="no session", **{"RSS MB": baseline, "per item": ""})
        await link_connection(stack.admin, stack.simulator, "Sessão 0", business(0))
        one = await _settled_rss(stack)
        report.add(state="1 connected session", **{"RSS MB": one, "per item": f"+{one - baseline:.1f} MB"})
        await _link_many(stack, range(1, SESSIONS))
        many = await _settled_rss(stack)
        per_session = (many - one) / (SESSIONS - 1)
        report.add(
            f"≤ {TARGET_MB_PER_SESSION:g} MB/session",
            per_session <= TARGET_MB_PER_SESSION,
            state=f"{SESSIONS} connected sessions",
            **{"RSS MB": many, "per item": f"{per_session * 1024:.0f} KB/session"},
        )
        sockets = await _open_sockets(stack)
        try:
            with_sockets = await _settled_rss(stack)
            per_socket = (with_sockets - many) / SOCKETS
            report.add(
                state=f"+ {SOCKETS:,} idle agent sockets",
                **{"RSS MB": with_sockets, "per item": f"{per_socket * 1024:.0f} KB/socket"},
            )
        finally:
            await sockets.close()
    report.notes.append(
        f"per session = (RSS with {SESSIONS} sessions - RSS with 1) / {SESSIONS - 1}: beyond the engine's baseline."
    )
    return report


def rss_mb(pids: list[int]) -> float:
    total_kb = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total_kb += int(line.split()[1])
    return total_kb / 1024


async def _settled_rss(stack: Stack) -> float:
    """The median of a few readings once things went quiet (allocations after a burst settle in a second or two)."""
    await asyncio.sleep(SETTLE_SECONDS)
    readings = []
    for _ in range(5):
        readings.append(rss_mb(stack.pids()))
        await asyncio.sleep(0.2)
    return statistics.median(readings)


async def _link_many(stack: Stack, indexes: range) -> None:
    gate = asyncio.Semaphore(LINK_AT_ONCE)

    async def link(index: int) -> None:
        async with gate:
            await link_connection(stack.admin, stack.simulator, f"Sessão {index}", business(index), qr_within=60)

    await asyncio.gather(*(link(index) for index in indexes))
    listed = [connection for page in await all_pages(stack.admin, "/api/connections") for connection in page]
    connected = [connection for connection in listed if connection["status"] == "CONNECTED"]
    if len(connected) != SESSIONS:
        raise AssertionError(f"{len(connected)} of {SESSIONS} sessions connected")


class Sockets:
    """Idle Socket.IO clients speaking the protocol by hand: open, connect to "/" with a token, answer pings."""

    def __init__(self) -> None:
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        self.sockets: list[aiohttp.ClientWebSocketResponse] = []
        self.keepers: list[asyncio.Task[None]] = []

    async def open(self, base_url: str, token: str) -> None:
        url = base_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        ws = await self.http.ws_connect(url)
        opened = await ws.receive_str(timeout=30)
        if not opened.startswith("0"):
            raise AssertionError(f"unexpected Engine.IO open packet {opened!r}")
        await ws.send_str("40" + json.dumps({"token": token}))
        # Events (agents' presence) may come before the answer to the connect: only a refusal ("44") is one.
        answer = await ws.receive_str(timeout=30)
        while answer.startswith("42"):
            answer = await ws.receive_str(timeout=30)
        if not answer.startswith("40"):
            raise AssertionError(f"socket refused: {answer!r}")
        self.sockets.append(ws)
        self.keepers.append(asyncio.create_task(self._answer_pings(ws)))

    async def _answer_pings(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for message in ws:
            if message.type is aiohttp.WSMsgType.TEXT and message.data == "2":
                await ws.send_str("3")

    async def close(self) -> None:
        for keeper in self.keepers:
            keeper.cancel()
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)
        await self.http.close()


async def _open_sockets(stack: Stack) -> Sockets:
    tokens = []
    for number in range(AGENTS):
        email, password = f"socket{number}@zapdesk.test", "bench-socket-password"
        await stack.admin.post(
            "/api/users", {"name": f"Agente {number}", "email": email, "password": password}, expect=201
        )
        agent = await Api(stack.server.url).login(email, password)
        tokens.append(agent.token)
        await agent.close()
    sockets = Sockets()
    gate = asyncio.Semaphore(OPEN_AT_ONCE)

    async def open_one(index: int) -> None:
        async with gate:
            await sockets.open(stack.server.url, tokens[index % AGENTS])

    try:
        await asyncio.gather(*(open_one(index) for index in range(SOCKETS)))
    except BaseException:
        await sockets.close()
        raise
    return sockets
