"""The engine program (`zapdesk-wa`) beside this worker: starts it, speaks its protocol, restarts it when it dies.

One program serves every WhatsApp connection of the worker. Requests are answered by id; events are handed to the
connection they name. When the program dies, every pending request fails (retryable) and every connection is
told, so it can start its session again once the host has started a new program.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import socket
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from zapdesk.engine.base import EngineError, NotConnected
from zapdesk.engine.whatsapp.protocol import zapdesk_engine_pb2 as pb
from zapdesk.kit.clock import SYSTEM_CLOCK, Clock
from zapdesk.kit.retry import Backoff

log = logging.getLogger(__name__)

PROTOCOL_VERSION = pb.PROTOCOL_VERSION
_HEADER = struct.Struct(">I")
MAX_FRAME_BYTES = 256 * 1024 * 1024
# A program that keeps dying right away is started again ever more slowly; one that lived this long, at once.
_RESTART_BACKOFF = Backoff(first=0.2, cap=30.0)
_HEALTHY_LIFETIME_SECONDS = 60.0
_STOP_GRACE_SECONDS = 10.0


class EngineProgramError(EngineError):
    """The engine program could not be started or spoke something unexpected."""


class SessionListener(Protocol):
    """A connection's adapter, as the host sees it."""

    def on_event(self, event: pb.Event, program: int) -> None:
        """`program` numbers the program that sent it: a verdict goes back to that program only."""

    def on_program_lost(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ProgramSpec:
    """How to run the program: its binary, its flags, and where whatsmeow keeps its store."""

    binary: Path
    store_location: str
    verdict_timeout: float = 60.0
    flags: tuple[str, ...] = ()
    # The debug build (it can invent WhatsApp events) is refused unless this is set: never in production.
    allow_debug_build: bool = False

    def command(self, fd: int) -> list[str]:
        return [
            str(self.binary),
            "-fd",
            str(fd),
            "-verdict-timeout",
            f"{self.verdict_timeout}s",
            *self.flags,
        ]


class EngineHost:
    """The engine program of this worker, started on first use and again whenever it died."""

    def __init__(self, spec: ProgramSpec, *, clock: Clock = SYSTEM_CLOCK) -> None:
        self.spec = spec
        self._clock = clock
        self.engine_version = ""
        # Counts the programs started: event ids restart with each, so a verdict names its program.
        self.program = 0
        self.debug_commands = False
        self.process: asyncio.subprocess.Process | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._reader_task: asyncio.Task[None] | None = None
        self._starting = asyncio.Lock()
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[pb.Response]] = {}
        self._verdicts: list[bytes] = []  # framed, leaving at the loop's next turn
        self._listeners: dict[str, SessionListener] = {}
        # Starts that failed, or programs that died young, in a row: the restart backoff's attempt.
        self._failed_starts = 0
        self._closed = False
        self._background: set[asyncio.Task[None]] = set()

    @property
    def running(self) -> bool:
        return self._writer is not None and self.process is not None and self.process.returncode is None

    # ---- sessions ------------------------------------------------------------------------------------------------

    def attach(self, session: str, listener: SessionListener) -> None:
        self._listeners[session] = listener

    def detach(self, session: str, listener: SessionListener) -> None:
        if self._listeners.get(session) is listener:
            del self._listeners[session]

    # ---- talking -------------------------------------------------------------------------------------------------

    async def request(self, session: str, *, start_program: bool = True, **command: object) -> pb.Response:
        """Send one command (a `Request` oneof field, e.g. `send=pb.SendMessage(...)`) and wait for its answer,
        starting the program first if needed (unless `start_program` is false: a stop needs no program).

        Raises `NotConnected` / `EngineError` for the engine's refusals, `EngineProgramError` when the program is
        gone or cannot start."""
        if start_program:
            await self.ensure_running()
        request_id = next(self._ids)
        request = pb.Request(id=request_id, session=session, **command)
        future: asyncio.Future[pb.Response] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        try:
            await self._write(pb.WorkerFrame(request=request))
            response = await future
        finally:
            self._pending.pop(request_id, None)
        if response.error:
            if response.error == "the session is not running":
                raise NotConnected(response.error)
            raise EngineError(response.error, retryable=response.retryable)
        return response

    async def verdict(self, event_id: int, program: int, *, ok: bool, error: str = "") -> None:
        """The worker's answer to an event of `program`: ok only once it is committed. Dropped when that program
        is gone (no harm: the handler that waited for it failed, and WhatsApp delivers the event again).

        A commit answers a whole batch at once: its verdicts leave together, in one write at the loop's next
        turn, not one system call (and one wake-up of the program) each."""
        if program != self.program or not self.running:
            return
        body = pb.WorkerFrame(verdict=pb.Verdict(event_id=event_id, ok=ok, error=error)).SerializeToString()
        if not self._verdicts:
            asyncio.get_running_loop().call_soon(self._send_verdicts, program)
        self._verdicts.append(_HEADER.pack(len(body)) + body)

    def _send_verdicts(self, program: int) -> None:
        frames, self._verdicts = self._verdicts, []
        writer = self._writer
        if program == self.program and writer is not None and not writer.is_closing():
            writer.write(b"".join(frames))  # a few bytes per event in flight: no need to wait for the buffer

    async def _write(self, frame: pb.WorkerFrame) -> None:
        writer = self._writer
        if writer is None:
            raise EngineProgramError("the engine program is not running")
        body = frame.SerializeToString()
        writer.write(_HEADER.pack(len(body)) + body)
        await writer.drain()

    # ---- the program -----------------------------------------------------------------------------------------------

    async def ensure_running(self) -> None:
        if self.running:
            return
        async with self._starting:
            if self.running:
                return
            if self._closed:
                raise EngineProgramError("the engine host is closed")
            if self._failed_starts:
                await self._clock.sleep(_RESTART_BACKOFF.delay(self._failed_starts))
            try:
                await self._start_program()
            except Exception:
                self._failed_starts += 1
                raise

    async def _start_program(self) -> None:
        if not self.spec.binary.is_file():
            raise EngineProgramError(
                f"the WhatsApp engine program {self.spec.binary} is missing: build it with `make engine`"
            )
        ours, theirs = socket.socketpair()
        try:
            env = {**os.environ, "ZAPDESK_WA_DATABASE": self.spec.store_location}
            self.process = await asyncio.create_subprocess_exec(
                *self.spec.command(theirs.fileno()), pass_fds=(theirs.fileno(),), env=env
            )
        finally:
            theirs.close()
        reader, writer = await asyncio.open_unix_connection(sock=ours, limit=2**16)
        try:
            hello = await asyncio.wait_for(_read_frame(reader), 30.0)
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError) as exc:
            writer.close()
            await self._reap()
            raise EngineProgramError(f"the engine program did not start: {exc!r}") from exc
        if hello is None or hello.hello.protocol_version != PROTOCOL_VERSION:
            writer.close()
            await self._reap()
            raise EngineProgramError(f"the engine program speaks another protocol: {hello}")
        if hello.hello.debug_commands and not self.spec.allow_debug_build:
            writer.close()
            await self._reap()
            raise EngineProgramError(f"{self.spec.binary} is the debug build of zapdesk-wa: not allowed here")
        self.program += 1
        self.engine_version = hello.hello.engine_version
        self.debug_commands = hello.hello.debug_commands
        self._writer = writer
        await self._write(pb.WorkerFrame(hello=pb.Hello(protocol_version=PROTOCOL_VERSION)))
        self._reader_task = asyncio.create_task(self._read_loop(reader, self.process), name="zapdesk-wa-reader")
        log.info("engine program %s started (pid %s)", self.engine_version, self.process.pid)

    async def _read_loop(self, reader: asyncio.StreamReader, process: asyncio.subprocess.Process) -> None:
        started = self._clock.monotonic()
        try:
            while (frame := await _read_frame(reader)) is not None:
                self._dispatch(frame)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            log.warning("engine program connection lost: %r", exc)
        except Exception:
            log.exception("engine program sent something unreadable; restarting it")
        finally:
            self._lost(process, lived=self._clock.monotonic() - started)

    def _dispatch(self, frame: pb.EngineFrame) -> None:
        if frame.HasField("response"):
            future = self._pending.get(frame.response.id)
            if future is not None and not future.done():
                future.set_result(frame.response)
        elif frame.HasField("event"):
            event = frame.event
            listener = self._listeners.get(event.session)
            if listener is not None:
                listener.on_event(event, self.program)
            elif event.id:
                # Nobody stores it here: WhatsApp must deliver it again.
                task = asyncio.ensure_future(self.verdict(event.id, self.program, ok=False, error="no such session"))
                self._background.add(task)
                task.add_done_callback(self._background.discard)

    def _lost(self, process: asyncio.subprocess.Process, *, lived: float) -> None:
        """The program is gone: fail what waits on it, tell every connection, and let the next use restart it."""
        if self.process is not process:
            return
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
        if process.returncode is None:
            process.kill()
        self._failed_starts = 0 if lived > _HEALTHY_LIFETIME_SECONDS else self._failed_starts + 1
        for future in self._pending.values():
            if not future.done():
                future.set_exception(EngineProgramError("the engine program exited"))
        if not self._closed:
            log.warning("engine program (pid %s) exited; its sessions will be started again", process.pid)
            for listener in list(self._listeners.values()):
                listener.on_program_lost()

    async def _reap(self) -> None:
        process = self.process
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()

    async def close(self) -> None:
        """Stop the program: closing its socket makes it stop every session (keys kept) and exit."""
        self._closed = True
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
        process = self.process
        if process is not None and process.returncode is None:
            try:
                await asyncio.wait_for(process.wait(), _STOP_GRACE_SECONDS)
            except TimeoutError:
                process.kill()
                await process.wait()
        if self._reader_task is not None:
            self._reader_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader_task


async def _read_frame(reader: asyncio.StreamReader) -> pb.EngineFrame | None:
    """One frame; None when the program closed the socket between frames."""
    try:
        header = await reader.readexactly(_HEADER.size)
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            return None
        raise
    (size,) = _HEADER.unpack(header)
    if size > MAX_FRAME_BYTES:
        raise EngineProgramError(f"a frame of {size} bytes is over the limit")
    return pb.EngineFrame.FromString(await reader.readexactly(size))
