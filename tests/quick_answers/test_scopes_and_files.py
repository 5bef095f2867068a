"""Quick answers for some queues only, an agent's own ones, a file sent along, and variables filled for the
ticket they are used in."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from tests.media.samples import PDF
from tests.tickets.factories import Desk, make_contact, make_ticket
from zapdesk.media.store import MediaStore
from zapdesk.messages.models import Message, MessageStatus, MessageType
from zapdesk.tickets.models import TicketStatus


async def _shortcuts(client: httpx.AsyncClient, headers: dict[str, str]) -> list[str]:
    response = await client.get("/api/quick-answers", headers=headers)
    assert response.status_code == 200, response.text
    return [answer["shortcut"] for answer in response.json()["items"]]


async def test_a_shared_answer_limited_to_a_queue_reaches_only_that_queues_agents(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    admin = desk.headers("admin")
    await client.post("/api/quick-answers", json={"shortcut": "oi", "text": "Oi!"}, headers=admin)
    limited = {"shortcut": "garantia", "text": "A garantia é de 90 dias.", "queue_ids": [desk.queue.id]}
    created = await client.post("/api/quick-answers", json=limited, headers=admin)

    assert created.status_code == 201, created.text
    assert (created.json()["owner_id"], created.json()["queue_ids"]) == (None, [desk.queue.id])
    assert await _shortcuts(client, desk.headers("agent_in_queue")) == ["garantia", "oi"]
    assert await _shortcuts(client, desk.headers("agent_not_in_queue")) == ["oi"]
    assert await _shortcuts(client, admin) == ["garantia", "oi"]


async def test_an_agents_own_answers_are_theirs_alone_and_may_reuse_a_shared_shortcut(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    await client.post("/api/quick-answers", json={"shortcut": "oi", "text": "Olá!"}, headers=desk.headers("admin"))

    mine = await client.post(
        "/api/quick-answers",
        json={"shortcut": "oi", "text": "Oi, aqui é a Iris!"},
        headers=desk.headers("agent_in_queue"),
    )
    again = await client.post(
        "/api/quick-answers", json={"shortcut": "OI", "text": "De novo"}, headers=desk.headers("agent_in_queue")
    )

    assert mine.status_code == 201, mine.text
    assert mine.json()["owner_id"] == desk.agent_in_queue.id
    assert again.status_code == 409
    assert await _shortcuts(client, desk.headers("agent_in_queue")) == ["oi", "oi"]
    assert await _shortcuts(client, desk.headers("agent_not_in_queue")) == ["oi"]
    shared = (await client.get("/api/quick-answers", headers=desk.headers("agent_not_in_queue"))).json()["items"][0]
    changed = await client.patch(
        f"/api/quick-answers/{shared['id']}", json={"text": "Mudei"}, headers=desk.headers("agent_in_queue")
    )
    assert changed.status_code == 403
    assert changed.json()["code"] == "admin_only"


async def test_using_an_answer_fills_its_variables_for_the_ticket(client: httpx.AsyncClient, desk: Desk) -> None:
    template = "{{greeting}}, {{first_name}}! Aqui é {{agent}}, da fila {{queue}}. Protocolo {{protocol}}. {{pedido}}"
    contact = await make_contact(desk.context, name="Maria Silva")
    ticket = await make_ticket(
        desk.context,
        connection=desk.connection,
        contact=contact,
        queue=desk.queue,
        assignee=desk.assignee,
        status=TicketStatus.OPEN,
    )

    response = await client.post(
        f"/api/tickets/{ticket.id}/render", json={"text": template}, headers=desk.headers("assignee")
    )

    assert response.status_code == 200, response.text
    greeting, rest = response.json()["text"].split(",", 1)
    assert greeting in {"Bom dia", "Boa tarde", "Boa noite"}
    assert rest == f" Maria! Aqui é Ana Assignee, da fila Suporte. Protocolo {ticket.protocol}. {{{{pedido}}}}"


async def test_an_answer_with_a_file_sends_its_own_copy_of_the_file(
    client: httpx.AsyncClient, desk: Desk, media_store: MediaStore
) -> None:
    answer = (
        await client.post(
            "/api/quick-answers",
            json={"shortcut": "boleto", "text": "Segue o boleto, {{first_name}}."},
            headers=desk.headers("admin"),
        )
    ).json()
    attached = await client.put(
        f"/api/quick-answers/{answer['id']}/file",
        files={"file": ("boleto.pdf", PDF, "application/pdf")},
        headers=desk.headers("admin"),
    )
    contact = await make_contact(desk.context, name="João Souza")
    ticket = await make_ticket(
        desk.context, connection=desk.connection, contact=contact, queue=desk.queue, status=TicketStatus.OPEN
    )

    sent = await client.post(
        f"/api/quick-answers/{answer['id']}/send", json={"ticket_id": ticket.id}, headers=desk.headers("agent_in_queue")
    )

    assert attached.status_code == 200, attached.text
    assert (attached.json()["media_name"], attached.json()["media_type"]) == ("boleto.pdf", "document")
    assert sent.status_code == 201, sent.text
    async with desk.context.sessionmaker() as session:
        message = (await session.execute(select(Message))).scalar_one()
    assert (message.body, message.type, message.status, message.media_name) == (
        "Segue o boleto, João.",
        MessageType.DOCUMENT,
        MessageStatus.PENDING,
        "boleto.pdf",
    )
    assert message.media_path is not None
    assert await media_store.read(message.media_path) == PDF
    removed = await client.delete(f"/api/quick-answers/{answer['id']}/file", headers=desk.headers("admin"))
    assert removed.json()["media_name"] is None
    assert await media_store.read(message.media_path) == PDF
