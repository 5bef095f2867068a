"""The OpenAPI document tells the truth: schemathesis, with every check, against the live server.

`st run --checks all` over every operation of /api/openapi.json: no 500, every answer documented (status,
content type, headers, body), everything the schema allows accepted and everything it forbids refused,
405 with the right `Allow` for methods a path lacks, created resources reachable and deleted ones gone.
On SQLite as an admin through all four phases (examples, coverage, fuzzing, stateful); on PostgreSQL as an
agent through the examples, fuzzing and stateful phases (the coverage phase walks the schema's boundaries,
which are the same on both databases, and is the costly one). Examples per operation are bounded and the
seed is fixed, so a run takes a minute or two and does the same every time.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.live_server import serve
from tests.media.samples import PNG
from tests.tickets.factories import Desk, make_message, make_ticket
from zapdesk.app import assemble_server
from zapdesk.auth.tokens import issue_access_token
from zapdesk.quick_answers.models import QuickAnswer
from zapdesk.tickets.models import TicketStatus
from zapdesk.users.models import User

REPOSITORY = Path(__file__).resolve().parents[2]
# Per operation, the rules JSON Schema cannot state (each written in the operation's description).
CONFIG = Path(__file__).with_name("schemathesis.toml")


async def _picture(_request: Request) -> Response:
    return Response(PNG, media_type="image/png")


# What a valid `web-address` reaches: a file for a send by URL, a 200 for a webhook.
_FILE_SERVER = Starlette(routes=[Route("/{path:path}", _picture, methods=["GET", "POST"])])
EXAMPLES_PER_OPERATION = 3
RUN_TIMEOUT_SECONDS = 600
ALL_PHASES = "examples,coverage,fuzzing,stateful"
DATA_PHASES = "examples,fuzzing,stateful"


async def _arrange(desk: Desk) -> None:
    """Something in every list, so lists, pages and links have items to follow."""
    ticket = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue, status=TicketStatus.OPEN)
    await make_message(desk.context, ticket=ticket)
    async with desk.context.sessionmaker() as session:
        session.add(QuickAnswer(shortcut="ola", text="Olá! Como posso ajudar?"))
        await session.commit()


async def _schemathesis(
    url: str, caller: User, desk: Desk, *, files: str, phases: str, workdir: Path
) -> tuple[int, str]:
    token = issue_access_token(desk.context.settings, caller.id, caller.role)
    command = [
        *(sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "run", f"{url}/api/openapi.json"),
        *("--checks", "all", "--phases", phases),
        *("--max-examples", str(EXAMPLES_PER_OPERATION), "--seed", "1", "--generation-deterministic"),
        *("--no-shrink", "--workers", "1"),
        # The token is ours to send, not a parameter to fuzz.
        *("--header", f"Authorization: Bearer {token}", "--generation-with-security-parameters", "false"),
        *("--no-color", "--output-sanitize", "true", "--max-failures", "50"),
    ]
    environment = {
        **os.environ,
        "PYTHONPATH": str(REPOSITORY),
        # `format: phone` is ours: the hooks say what a valid one looks like.
        "SCHEMATHESIS_HOOKS": "tests.security.schemathesis_hooks",
        # `format: web-address` is an address that answers: this run's file server.
        "FUZZ_FILE_SERVER": files,
    }
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=workdir,  # where schemathesis keeps its own files
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), RUN_TIMEOUT_SECONDS)
    assert process.returncode is not None
    return process.returncode, output.decode(errors="replace")


async def test_the_openapi_document_tells_the_truth_under_every_schemathesis_check(
    desk: Desk, database_url: str, tmp_path: Path
) -> None:
    await _arrange(desk)
    on_postgresql = database_url.startswith("postgresql")
    caller, phases = (desk.agent_in_queue, DATA_PHASES) if on_postgresql else (desk.admin, ALL_PHASES)

    async with serve(_FILE_SERVER) as files, serve(assemble_server(desk.context).asgi) as url:
        exit_code, report = await _schemathesis(url, caller, desk, files=files, phases=phases, workdir=tmp_path)

    assert "Tested:" in report, report  # it did run the operations
    assert exit_code == 0, report[-12_000:]
