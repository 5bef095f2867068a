"""Dead letters: an event ingest could not take is shown to administrators, retried once its cause is gone, or
discarded."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.conftest import MakeUser
from zapdesk.connections.models import Connection, Provider
from zapdesk.context import AppContext
from zapdesk.db.base import utcnow
from zapdesk.db.uow import unit_of_work
from zapdesk.dead_letters import routes, service
from zapdesk.dead_letters.models import DeadLetter
from zapdesk.engine.events import Chat, MessageReceived, Receipt, ReceiptKind, Sender, TextContent
from zapdesk.messages.models import Message
from zapdesk.users.models import Role, User

Headers = Callable[[User], dict[str, str]]


@pytest.fixture
async def as_admin(make_user: MakeUser, auth_headers: Headers) -> dict[str, str]:
    return auth_headers(await make_user(role=Role.ADMIN))


async def _connection(context: AppContext) -> int:
    async with context.sessionmaker() as session:
        connection = Connection(name="Vendas", provider=Provider.SIMULATOR)
        session.add(connection)
        await session.commit()
        return connection.id


def _message(external_id: str = "3A01", text: str = "Quero meu boleto") -> MessageReceived:
    return MessageReceived(
        external_id=external_id,
        chat=Chat("5511988887777", name="Ana"),
        sender=Sender(phone="5511988887777", push_name="Ana"),
        from_me=False,
        timestamp=utcnow(),
        content=TextContent(text),
    )


async def _dead_letter(context: AppContext, connection_id: int, event: Any) -> None:
    async with unit_of_work(context.sessionmaker) as session:
        await service.record(session, connection_id, event, ValueError("unexpected payload"))


async def test_administrators_see_what_arrived_and_why_it_was_not_stored(
    client: httpx.AsyncClient, context: AppContext, as_admin: dict[str, str]
) -> None:
    connection_id = await _connection(context)
    await _dead_letter(context, connection_id, _message())
    receipt = Receipt(
        chat=Chat("5511988887777"), external_ids=("3EB0A", "3EB0B"), kind=ReceiptKind.READ, timestamp=utcnow()
    )
    await _dead_letter(context, connection_id, receipt)

    response = await client.get("/api/dead-letters", headers=as_admin)

    assert response.status_code == 200
    first, second = response.json()["items"]
    assert (first["kind"], first["external_id"], first["summary"]) == ("MessageReceived", "3A01", "Quero meu boleto")
    assert first["error"] == "ValueError: unexpected payload" and first["attempts"] == 1
    assert (second["kind"], second["external_id"], second["summary"]) == ("Receipt", None, "read: 3EB0A, 3EB0B")


async def test_agents_may_not_see_dead_letters(
    client: httpx.AsyncClient, make_user: MakeUser, auth_headers: Headers
) -> None:
    response = await client.get("/api/dead-letters", headers=auth_headers(await make_user()))

    assert response.status_code == 403


async def test_retry_stores_the_message_once_the_cause_is_gone(
    client: httpx.AsyncClient, context: AppContext, as_admin: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    connection_id = await _connection(context)
    await _dead_letter(context, connection_id, _message())
    (dead_letter,) = (await client.get("/api/dead-letters", headers=as_admin)).json()["items"]
    real_ingest = routes.ingest_events

    async def still_broken(*_args: object, **_kwargs: object) -> None:
        raise KeyError("still the same bug")

    monkeypatch.setattr(routes, "ingest_events", still_broken)
    failed = await client.post(f"/api/dead-letters/{dead_letter['id']}/retry", headers=as_admin)
    monkeypatch.setattr(routes, "ingest_events", real_ingest)
    stored = await client.post(f"/api/dead-letters/{dead_letter['id']}/retry", headers=as_admin)

    assert failed.status_code == 200
    assert failed.json()["stored"] is False
    assert (
        failed.json()["dead_letter"]["attempts"] == 2 and "still the same bug" in failed.json()["dead_letter"]["error"]
    )
    assert stored.json() == {"stored": True, "dead_letter": None}
    assert (await client.get("/api/dead-letters", headers=as_admin)).json()["items"] == []
    async with context.sessionmaker() as session:
        texts = list((await session.execute(select(Message.body).where(Message.external_id == "3A01"))).scalars())
    assert texts == ["Quero meu boleto"]


async def test_discard_forgets_it(client: httpx.AsyncClient, context: AppContext, as_admin: dict[str, str]) -> None:
    await _dead_letter(context, await _connection(context), _message())
    (dead_letter,) = (await client.get("/api/dead-letters", headers=as_admin)).json()["items"]

    response = await client.delete(f"/api/dead-letters/{dead_letter['id']}", headers=as_admin)

    assert response.status_code == 204
    assert (await client.get("/api/dead-letters", headers=as_admin)).json()["items"] == []
    missing = await client.post(f"/api/dead-letters/{dead_letter['id']}/retry", headers=as_admin)
    assert (missing.status_code, missing.json()["code"]) == (404, "dead_letter_not_found")


async def test_a_starting_worker_retries_every_dead_letter(context: AppContext) -> None:
    connection_id = await _connection(context)
    for n in range(3):
        await _dead_letter(context, connection_id, _message(f"3A0{n}", f"mensagem {n}"))
    ingested: list[tuple[int, Any]] = []

    async def ingest(_session: Any, connection: int, event: Any) -> None:
        if event.external_id == "3A01":
            raise ValueError("this one is still broken")
        ingested.append((connection, event.external_id))

    stored = await service.retry_all(context.sessionmaker, context.sink, ingest)

    assert stored == 2 and ingested == [(connection_id, "3A00"), (connection_id, "3A02")]
    async with context.sessionmaker() as session:
        left: Sequence[Any] = (await session.execute(select(DeadLetter))).scalars().all()
    assert [(d.external_id, d.attempts) for d in left] == [("3A01", 2)]
