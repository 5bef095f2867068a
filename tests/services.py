"""The PostgreSQL and Redis servers that the suite and the benchmarks use.

By default each run starts throwaway servers of its own: a PostgreSQL cluster made by initdb in a temporary
directory (trust authentication, a free port, run as the unprivileged `postgres` user when we are root, since
PostgreSQL refuses root) and a Redis on a free port, both stopped when the run ends. Nothing on the machine is
touched: no system cluster, no configuration, no fixed port. `TEST_DATABASE_URL` (an admin URL of an existing
PostgreSQL where databases may be created) and `TEST_REDIS_URL` point the suite at existing servers instead.
Tests that stop or restart a server start one more of their own (`PrivatePostgres`, `PrivateRedis`).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import asyncpg

T = TypeVar("T")

OWNER_FILE = "owner.pid"
# Written off, since a test never needs a crash-safe disk; the benchmarks measure commits, so they keep these on.
FAST_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")
# Scale-out and system tests run several processes, each with its own pool.
MAX_CONNECTIONS = 300


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _private_directory(kind: str) -> Path:
    """A fresh temporary directory for one server, marked with the process that owns it."""
    sweep_abandoned_servers()
    root = Path(tempfile.mkdtemp(prefix=f"zapdesk-{kind}-"))
    (root / OWNER_FILE).write_text(str(os.getpid()))
    return root


def sweep_abandoned_servers() -> None:
    """Stop and delete servers left behind by runs that were killed before they could clean up."""
    for root in Path(tempfile.gettempdir()).glob("zapdesk-*-*"):
        owner = root / OWNER_FILE
        try:
            owner_pid = int(owner.read_text())
        except (OSError, ValueError):
            continue
        if _alive(owner_pid):
            continue
        if root.name.startswith("zapdesk-pg-"):
            PrivatePostgres(root=root).destroy()
        elif root.name.startswith("zapdesk-redis-"):
            PrivateRedis(root=root).destroy()


def _postgres_bin_dir() -> Path:
    """The newest installed PostgreSQL's server programs (Debian keeps them off PATH, one folder per version)."""
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if debian:
        return debian[-1].parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError(
        "PostgreSQL's server programs (initdb) are not installed: run `sudo apt-get install -y postgresql` "
        "(`make test` does it when run as root), or set TEST_DATABASE_URL to an existing server."
    )


def _as_postgres_user(args: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root; Debian's package creates the unprivileged `postgres` user.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of our own in a temporary directory, on a free port, with trust authentication."""

    root: Path = field(default_factory=lambda: _private_directory("pg"))
    port: int = field(default_factory=free_port)
    fast: bool = True

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _pg_ctl(self, *args: str) -> None:
        self._run("pg_ctl", "-D", str(self.data_dir), *args)

    def _run(self, program: str, *args: str) -> None:
        command = _as_postgres_user([str(_postgres_bin_dir() / program), *args])
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            log = self.root / "server.log"
            raise RuntimeError(
                f"{program} {' '.join(args)} failed ({done.returncode}): {done.stdout}{done.stderr}"
                + (f"\nserver log:\n{log.read_text()[-2000:]}" if log.exists() else "")
            )

    def start(self) -> None:
        """initdb, then start; blocking (about a second)."""
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            "initdb", "-D", str(self.data_dir), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"
        )
        self.start_server()

    def start_server(self) -> None:
        settings = ["listen_addresses=127.0.0.1", f"max_connections={MAX_CONNECTIONS}"]
        if self.fast:
            settings += FAST_SETTINGS
        options = " ".join([f"-p {self.port}", f"-k {self.root}", *(f"-c {setting}" for setting in settings)])
        self._pg_ctl("-l", str(self.root / "server.log"), "-o", options, "-w", "start")

    def stop_server(self) -> None:
        """A fast shutdown, as a service restart does: clients are disconnected."""
        self._pg_ctl("-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            try:
                self._pg_ctl("-m", "immediate", "-w", "stop")
            except (subprocess.SubprocessError, RuntimeError) as exc:  # already stopped, or gone
                print(f"could not stop the private PostgreSQL in {self.root}: {exc}")
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class PrivateRedis:
    """A Redis server of our own on a free port, keeping nothing on disk."""

    root: Path = field(default_factory=lambda: _private_directory("redis"))
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def log_path(self) -> Path:
        return self.root / "redis.log"

    def start(self) -> None:
        """Start and wait until it answers; blocking."""
        if shutil.which("redis-server") is None:
            raise RuntimeError(
                "redis-server is not installed: run `sudo apt-get install -y redis-server` "
                "(`make test` does it when run as root), or set TEST_REDIS_URL to an existing server."
            )
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.root)]
        args += ["--save", "", "--appendonly", "no", "--pidfile", str(self.root / "redis.pid")]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while not _answers(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the private Redis did not start:\n{self.log_path.read_text()[-2000:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server (a test's outage); the directory stays until `destroy`."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def destroy(self) -> None:
        self.stop()
        with contextlib.suppress(OSError, ValueError):
            os.kill(int((self.root / "redis.pid").read_text()), signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


Server = TypeVar("Server", PrivatePostgres, PrivateRedis)


def _started(server: Server) -> Server:
    try:
        server.start()
    except BaseException:
        server.destroy()  # nothing half-started stays behind
        raise
    return server


class _SharedServers:
    """The run's own servers, started on first use and stopped when the process exits."""

    def __init__(self) -> None:
        self.postgres: PrivatePostgres | None = None
        self.redis: PrivateRedis | None = None
        atexit.register(self.destroy)

    def postgres_admin_url(self, *, fast: bool) -> str:
        if self.postgres is None:
            self.postgres = _started(PrivatePostgres(fast=fast))
        return self.postgres.admin_url

    def redis_url(self) -> str:
        if self.redis is None:
            self.redis = _started(PrivateRedis())
        return self.redis.url

    def destroy(self) -> None:
        for server in (self.postgres, self.redis):
            if server is not None:
                server.destroy()


_shared = _SharedServers()


def postgres_admin_url(*, fast: bool = True) -> str:
    """An admin URL of the PostgreSQL to create databases on; `fast=False` keeps commits durable (benchmarks)."""
    return os.environ.get("TEST_DATABASE_URL") or _shared.postgres_admin_url(fast=fast)


def redis_url() -> str:
    return os.environ.get("TEST_REDIS_URL") or _shared.redis_url()


def database_url_on(admin_url: str, name: str) -> str:
    return f"{admin_url.rsplit('/', 1)[0]}/{name}"


def in_own_thread(function: Callable[[], T]) -> T:
    """Run `function` on a thread of its own and return its result: for code that runs its own event loop
    (`asyncio.run`, Alembic's env) called from where a loop may already be running."""
    results: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            results.append(function())
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return results[0]


async def _admin_execute(admin_url: str, statement: str) -> None:
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def create_postgres_database(prefix: str, admin_url: str | None = None) -> str:
    """A new, empty database (on the run's PostgreSQL unless told otherwise); returns its URL."""
    admin_url = admin_url or postgres_admin_url()
    name = f"{prefix}_{secrets.token_hex(4)}"
    in_own_thread(lambda: asyncio.run(_admin_execute(admin_url, f'CREATE DATABASE "{name}"')))
    return database_url_on(admin_url, name)


def drop_postgres_database(url: str, admin_url: str | None = None) -> None:
    admin_url, name = admin_url or postgres_admin_url(), url.rsplit("/", 1)[1]
    in_own_thread(lambda: asyncio.run(_admin_execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')))


@contextlib.contextmanager
def throwaway_database(prefix: str, admin_url: str | None = None) -> Iterator[str]:
    """A new database for the duration of the block, dropped afterwards."""
    url = create_postgres_database(prefix, admin_url)
    try:
        yield url
    finally:
        drop_postgres_database(url, admin_url)
