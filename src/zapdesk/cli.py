"""The `zapdesk` command: run the server, migrate the database, manage users."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from zapdesk import __version__
from zapdesk.config import InsecureSettings, get_settings
from zapdesk.db.migrate import upgrade_to_head


def _migrate(_args: argparse.Namespace) -> int:
    settings = get_settings()
    upgrade_to_head(settings.migration_database_url)
    print("Database is up to date.")
    return 0


def _run(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    settings.check_production_secrets()
    # The app factory and the workers it spawns read these settings: the mounted simulator's URL needs the port.
    settings.host = args.host or settings.host
    settings.port = args.port or settings.port
    upgrade_to_head(settings.migration_database_url)
    uvicorn.run(
        "zapdesk.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        log_level="info",
        proxy_headers=True,
    )
    return 0


def _simulator(args: argparse.Namespace) -> int:
    import uvicorn

    from zapdesk.kit.heap import settle_heap
    from zapdesk.simulator.app import create_simulator_app
    from zapdesk.simulator.config import SimulatorConfig

    config = SimulatorConfig()
    if args.state is not None:
        config = config.model_copy(update={"state_file": args.state})
    print(f"WhatsApp simulator on port {args.port}, state in {config.state_file}; phones page at /")
    app = create_simulator_app(config)
    settle_heap()
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0


def _api(args: argparse.Namespace) -> int:
    import uvicorn

    from zapdesk.scaleout.migrate import upgrade_schema
    from zapdesk.scaleout.requirements import ScaleOutUnavailable, api_settings

    try:
        settings = api_settings(get_settings())
    except ScaleOutUnavailable as exc:
        print(f"zapdesk api: {exc}", file=sys.stderr)
        return 2
    settings.check_production_secrets()
    upgrade_schema(settings)
    uvicorn.run(
        "zapdesk.scaleout.api:create_api_app",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level="info",
        proxy_headers=True,
    )
    return 0


def _worker(args: argparse.Namespace) -> int:
    from zapdesk.kit import event_loop
    from zapdesk.scaleout.requirements import ScaleOutUnavailable, unique_owner, worker_settings
    from zapdesk.scaleout.worker import run_standalone_worker
    from zapdesk.worker.main import run_embedded_worker, settings_for_worker

    owner = args.owner or unique_owner()
    if args.channel_fd is not None:
        event_loop.run(run_embedded_worker(settings_for_worker(), owner, args.channel_fd))
        _exit_despite_go_threads()
    try:
        settings = worker_settings(get_settings())
    except ScaleOutUnavailable as exc:
        print(f"zapdesk worker: {exc}", file=sys.stderr)
        return 2
    event_loop.run(run_standalone_worker(settings, owner))
    _exit_despite_go_threads()


def _exit_despite_go_threads() -> NoReturn:
    """Sessions are stopped and leases released by now, but Go threads of unpaired WhatsApp sessions never return
    and would block the interpreter's exit: leave at once."""
    logging.shutdown()
    os._exit(0)


def _create_user(args: argparse.Namespace) -> int:
    import asyncio
    import getpass

    from pydantic import ValidationError

    from zapdesk.context import AppContext
    from zapdesk.db.uow import unit_of_work
    from zapdesk.errors import DomainError, describe_validation_errors
    from zapdesk.users.schemas import UserCreate
    from zapdesk.users.service import create_user

    password = args.password
    if password is None:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat the password: ") != password:
            print("zapdesk create-user: the passwords differ; nothing was created.", file=sys.stderr)
            return 1
    try:
        data = UserCreate(name=args.name, email=args.email, role=args.role, password=password)
    except ValidationError as exc:
        print(f"zapdesk create-user: {describe_validation_errors(list(exc.errors()))}", file=sys.stderr)
        return 1
    settings = get_settings()
    upgrade_to_head(settings.migration_database_url)

    async def create() -> int:
        context = AppContext.from_settings(settings)
        try:
            async with unit_of_work(context.sessionmaker) as session:
                return (await create_user(session, data)).id
        finally:
            await context.close()

    try:
        user_id = asyncio.run(create())
    except DomainError as exc:
        print(f"zapdesk create-user: {exc.detail}", file=sys.stderr)
        return 1
    print(f"Created {data.role.value} {data.email} (id {user_id}).")
    return 0


def _openapi(_args: argparse.Namespace) -> int:
    import json

    from zapdesk.app import openapi_document

    print(json.dumps(openapi_document(), indent=2, ensure_ascii=False))
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "api": _api,
    "worker": _worker,
    "migrate": _migrate,
    "run": _run,
    "simulator": _simulator,
    "create-user": _create_user,
    "openapi": _openapi,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zapdesk", description="WhatsApp customer-service desk.")
    parser.add_argument("--version", action="version", version=f"zapdesk {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="migrate, then serve the API, real time, web UI and WhatsApp sessions")
    run.add_argument("--host", default=None, help="address to listen on (default: HOST or 0.0.0.0)")
    run.add_argument("--port", type=int, default=None, help="port to listen on (default: PORT or 3001)")
    commands.add_parser("migrate", help="bring the database schema up to date")
    simulator = commands.add_parser("simulator", help="run the fake WhatsApp network on its own")
    simulator.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    simulator.add_argument("--port", type=int, default=3002, help="port to listen on (default: 3002)")
    simulator.add_argument("--state", type=Path, default=None, help="its SQLite file (default: data/simulator.db)")
    api = commands.add_parser(
        "api", help="scale-out: migrate, then serve the API, real time and web UI without WhatsApp sessions"
    )
    api.add_argument("--host", default=None, help="address to listen on (default: HOST or 0.0.0.0)")
    api.add_argument("--port", type=int, default=None, help="port to listen on (default: PORT or 3001)")
    worker = commands.add_parser(
        "worker", help="scale-out: hold a share of the WhatsApp sessions (needs PostgreSQL and REDIS_URL)"
    )
    worker.add_argument("--owner", default=None, help="lease owner id (default: host:pid:random, unique)")
    worker.add_argument("--channel-fd", type=int, default=None, help="socket inherited from `zapdesk run` (internal)")
    create_user = commands.add_parser("create-user", help="add an administrator or agent who can sign in")
    create_user.add_argument("--email", required=True, help="their sign-in email")
    create_user.add_argument("--name", required=True, help="the name colleagues and customers see")
    create_user.add_argument("--role", choices=["admin", "agent"], default="agent", help="default: agent")
    create_user.add_argument("--password", default=None, help="at least 8 characters (asked for when omitted)")
    commands.add_parser("openapi", help="print the OpenAPI document (REST and real-time events) as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except InsecureSettings as exc:
        print(f"zapdesk: {exc}", file=sys.stderr)
        return 2
