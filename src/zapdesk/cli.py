"""The `zapdesk` command: run the server, migrate the database, manage users."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

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
    upgrade_to_head(settings.migration_database_url)
    uvicorn.run(
        "zapdesk.app:create_app",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level="info",
        proxy_headers=True,
    )
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"migrate": _migrate, "run": _run}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zapdesk", description="WhatsApp customer-service desk.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="migrate, then serve the API, real time, web UI and WhatsApp sessions")
    run.add_argument("--host", default=None, help="address to listen on (default: HOST or 0.0.0.0)")
    run.add_argument("--port", type=int, default=None, help="port to listen on (default: PORT or 3001)")
    commands.add_parser("migrate", help="bring the database schema up to date")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except InsecureSettings as exc:
        print(f"zapdesk: {exc}", file=sys.stderr)
        return 2
