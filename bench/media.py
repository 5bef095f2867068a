"""(f) Inbound media: customers send photos of about 200 KB through the simulator, whose media servers take
`DOWNLOAD_SECONDS` to hand each file over (WhatsApp's take a while too).

For each database, two runs:
- backlog: the business phone is offline while customers send `BACKLOG` photos; it comes back and the backlog
  drains through the engine worker. As a Socket.IO client sees it, from the moment the phone is back: seconds until
  the last message is stored (`message.created`) and until the last file can be opened, and the rates they make.
- live: the phone is online; `LIVE` photos are sent one after another. Per photo, from the send (the POST to the
  simulator) to the agent's `message.created`, and to the moment its file can be opened (`media_url` set, in
  `message.created` or a later `message.updated`).
"""

from __future__ import annotations

import asyncio
import base64
import io
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from bench.report import Report, percentile
from bench.stack import BUSINESS, Stack, TimedInbox, database, running_stack
from tests.system.harness import eventually, wait_for_status

DOWNLOAD_SECONDS = float(os.environ.get("BENCH_MEDIA_DOWNLOAD_SECONDS", "0.25"))
BACKLOG = int(os.environ.get("BENCH_MEDIA_BACKLOG", "60"))
LIVE = int(os.environ.get("BENCH_MEDIA_LIVE", "15"))
CHATS = 10
IMAGE_SIDE = 410  # noise JPEG of about 200 KB
DATABASES = ("sqlite", "postgresql")


@dataclass(frozen=True, slots=True)
class Seen:
    """When the agent's client learned of one message, and of its file (seconds, `time.perf_counter()`)."""

    stored: float
    file: float


def photo() -> bytes:
    """A JPEG of noise (it does not compress): about 200 KB, different every time."""
    pixels = Image.frombytes("RGB", (IMAGE_SIDE, IMAGE_SIDE), os.urandom(IMAGE_SIDE * IMAGE_SIDE * 3))
    buffer = io.BytesIO()
    pixels.save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


async def run(workdir: Path) -> Report:
    report = Report(
        "media",
        f"(f) Inbound photos of ~200 KB, downloads taking {DOWNLOAD_SECONDS * 1000:.0f} ms",
        [
            "database",
            "backlog",
            "all stored s",
            "all files s",
            "stored/s",
            "files/s",
            "live: stored p50 ms",
            "live: stored p95 ms",
            "live: file p50 ms",
            "live: file p95 ms",
        ],
    )
    size = len(photo())
    for kind in DATABASES:
        async with database(kind, workdir / kind) as url:
            env = {"SIMULATOR_MEDIA_DELAY_SECONDS": str(DOWNLOAD_SECONDS)}
            async with running_stack(url, workdir / kind, network_env=env) as stack:
                await stack.link()
                inbox = await TimedInbox().connect(stack.server.url, stack.admin.token)
                try:
                    back, backlog = await _drain(stack, inbox, BACKLOG)
                    live = await _live(stack, inbox, LIVE)
                finally:
                    await inbox.close()
        all_stored = max(seen.stored for seen in backlog) - back
        all_files = max(seen.file for seen in backlog) - back
        stored_ms = [(seen.stored - sent) * 1000 for sent, seen in live]
        file_ms = [(seen.file - sent) * 1000 for sent, seen in live]
        report.add(
            "",
            None,
            **{
                "database": kind,
                "backlog": BACKLOG,
                "all stored s": all_stored,
                "all files s": all_files,
                "stored/s": BACKLOG / all_stored,
                "files/s": BACKLOG / all_files,
                "live: stored p50 ms": percentile(stored_ms, 0.5),
                "live: stored p95 ms": percentile(stored_ms, 0.95),
                "live: file p50 ms": percentile(file_ms, 0.5),
                "live: file p95 ms": percentile(file_ms, 0.95),
            },
        )
    report.notes.append(
        f"photos of {size / 1024:.0f} KB over {CHATS} chats; backlog: written while the phone was offline, timed from "
        "the moment it is back (reconnecting included); live: one photo at a time, from the POST to the simulator to "
        "the event."
    )
    return report


async def _send(stack: Stack, customer: str, caption: str) -> None:
    body = {
        "from": customer,
        "to": BUSINESS,
        "text": caption,
        "name": f"Cliente {customer[-4:]}",
        "kind": "image",
        "media": {"mime": "image/jpeg", "file_name": "foto.jpg", "data_base64": base64.b64encode(photo()).decode()},
    }
    response = await stack.simulator.client.post("/api/messages", json=body)
    response.raise_for_status()


def _customer(n: int) -> str:
    return f"5541{n % CHATS:09d}"


async def _seen(inbox: TimedInbox, captions: list[str]) -> dict[str, Seen]:
    """Once every caption's message and file have reached the client: when each did."""
    wanted = set(captions)

    async def complete() -> dict[str, Seen] | None:
        stored: dict[int, tuple[str, float]] = {}
        files: dict[int, float] = {}
        for at, name, data in inbox.arrivals:
            message: dict[str, Any] = data
            if name == "message.created" and message.get("body") in wanted:
                stored[message["id"]] = (message["body"], at)
            if name in ("message.created", "message.updated") and message.get("media_url"):
                files.setdefault(message["id"], at)
        if len(stored) < len(wanted) or any(message_id not in files for message_id in stored):
            return None
        return {caption: Seen(at, files[message_id]) for message_id, (caption, at) in stored.items()}

    return await eventually(complete, timeout=300, what=f"{len(captions)} photos and their files")


async def _drain(stack: Stack, inbox: TimedInbox, count: int) -> tuple[float, list[Seen]]:
    """When the phone came back, and when each photo of the backlog and its file reached the client."""
    response = await stack.simulator.client.post(f"/api/sessions/{BUSINESS}/drop", json={"offline_seconds": 3600})
    response.raise_for_status()
    await wait_for_status(stack.admin, stack.connection_id, "RECONNECTING")
    captions = [f"bench backlog photo {n}" for n in range(count)]
    for n, caption in enumerate(captions):
        await _send(stack, _customer(n), caption)
    await stack.restart_network()
    back = time.perf_counter()
    await stack.admin.post(f"/api/connections/{stack.connection_id}/restart", expect=202)
    seen = await _seen(inbox, captions)
    await stack.wait_connected()
    return back, list(seen.values())


async def _live(stack: Stack, inbox: TimedInbox, count: int) -> list[tuple[float, Seen]]:
    measured = []
    for n in range(count):
        caption = f"bench live photo {n}"
        sent = time.perf_counter()
        await _send(stack, _customer(n), caption)
        seen = await _seen(inbox, [caption])
        measured.append((sent, seen[caption]))
        await asyncio.sleep(0.1)
    return measured
