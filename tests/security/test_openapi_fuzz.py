"""Schemathesis against /api/openapi.json, as an admin and as an agent: no 500, nothing undocumented.

Every operation gets a bounded, deterministic batch of valid and invalid requests (Hypothesis with a
fixed seed, no shrinking), each sent with an admin's or an agent's token. Each answer must have a
documented status code, content type, headers and body, and invalid input must be refused with a 4xx.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.security.asgi_session import BASE_URL, LoopSession, asgi_client
from tests.tickets.factories import Desk, make_message, make_ticket
from zapdesk.app import assemble_server
from zapdesk.context import AppContext
from zapdesk.quick_answers.models import QuickAnswer
from zapdesk.tickets.models import TicketStatus

# Requests per operation: valid ones, then invalid ones. Both roles share them (Hypothesis picks one per
# request), so the cost stays one batch per operation and database.
EXAMPLES = {GenerationMode.POSITIVE: 4, GenerationMode.NEGATIVE: 3}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


async def make_quick_answer(context: AppContext) -> QuickAnswer:
    async with context.sessionmaker() as session:
        answer = QuickAnswer(shortcut="ola", text="Olá! Como posso ajudar?")
        session.add(answer)
        await session.commit()
        return answer


@dataclass
class Finding:
    operation: str
    mode: str
    error: BaseException

    def __str__(self) -> str:
        return f"{self.operation} ({self.mode}):\n{self.error}"


def cases(operation: Any, mode: GenerationMode, existing: dict[str, object]) -> st.SearchStrategy[Any]:
    """Fuzzed requests; valid ones name an existing resource half of the time (random ids are almost all 404)."""
    fuzzed = operation.as_strategy(generation_mode=mode)
    known = {name: value for name, value in existing.items() if f"{{{name}}}" in operation.path}
    if mode is GenerationMode.NEGATIVE or not known:
        return fuzzed
    return st.one_of(fuzzed, operation.as_strategy(generation_mode=mode, path_parameters=known))


def fuzz(
    schema: Any, session: LoopSession, roles: dict[str, dict[str, str]], existing: dict[str, object]
) -> list[Finding]:
    """Run every operation's batches; return what failed (at most one finding per operation and mode)."""
    findings: list[Finding] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode, examples in EXAMPLES.items():

            @hypothesis.settings(
                max_examples=examples,
                derandomize=True,  # the same requests on every run
                database=None,
                deadline=None,
                phases=[Phase.generate],  # no shrinking: a failure is reported as found
                suppress_health_check=list(HealthCheck),
            )
            @hypothesis.given(case=cases(operation, mode, existing), role=st.sampled_from(sorted(roles)))
            def run(case: Any, role: str) -> None:
                headers = roles[role]
                response = case.call(session=session, base_url=BASE_URL, headers=headers)
                case.validate_response(response, checks=CHECKS, headers=headers)

            try:
                run()
            except hypothesis.errors.Unsatisfiable:
                continue  # nothing invalid can be said to this operation
            except Exception as exc:
                findings.append(Finding(operation.label, mode.value, exc))
    return findings


async def test_fuzzed_requests_get_documented_answers_and_never_a_500(desk: Desk) -> None:
    ticket = await make_ticket(desk.context, connection=desk.connection, queue=desk.queue, status=TicketStatus.OPEN)
    message = await make_message(desk.context, ticket=ticket)
    answer = await make_quick_answer(desk.context)
    existing: dict[str, object] = {
        "connection_id": desk.connection.id,
        "contact_id": ticket.contact_id,
        "ticket_id": ticket.id,
        "message_id": message.id,
        "queue_id": desk.other_queue.id,
        "user_id": desk.assignee.id,  # not a caller: deleting it leaves both tokens working
        "answer_id": answer.id,
        "key": "ignore_group_messages",
    }
    roles = {"admin": desk.auth_headers(desk.admin), "agent": desk.auth_headers(desk.agent_in_queue)}
    app = assemble_server(desk.context).asgi
    async with asgi_client(app) as client:
        spec = (await client.get("/api/openapi.json")).json()
        schema = schemathesis.openapi.from_dict(spec)
        # Unknown query parameters are ignored by design, and the token is ours to send, not to fuzz.
        schema.config.generation.update(allow_extra_parameters=False, with_security_parameters=False)
        session = LoopSession(client, asyncio.get_running_loop())
        findings = await asyncio.to_thread(fuzz, schema, session, roles, existing)
    assert not findings, "\n\n".join(str(finding) for finding in findings)
