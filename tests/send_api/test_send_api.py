"""`POST /api/v1/messages`: automations send with a token — the contact and its ticket are found or made, the
message is queued in the outbox, a repeated `client_id` changes nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from tests.conftest import MakeUser
from tests.live_server import serve
from tests.media.samples import PNG
from tests.tickets.factories import make_connection, make_contact, make_ticket
from zapdesk.cloud import service as cloud_service
from zapdesk.cloud.models import CloudTemplate
from zapdesk.cloud.schemas import CloudCredentialsIn
from zapdesk.connections.models import Connection
from zapdesk.contacts.models import Contact
from zapdesk.context import AppContext
from zapdesk.db.uow import unit_of_work
from zapdesk.messages.models import Message, MessageStatus, MessageType
from zapdesk.settings.service import SEND_API_OPENS_TICKET, set_setting
from zapdesk.tickets.models import Ticket, TicketStatus
from zapdesk.users.models import Role, User

NUMBER = "+55 11 98888-7777"
PHONE = "5511988887777"


@dataclass
class Automation:
    client: httpx.AsyncClient
    headers: dict[str, str]
    connection: Connection

    async def send(self, **body: Any) -> httpx.Response:
        return await self.client.post("/api/v1/messages", json=body, headers=self.headers)


@pytest.fixture
async def automation(
    client: httpx.AsyncClient, context: AppContext, make_user: MakeUser, auth_headers: Callable[[User], dict[str, str]]
) -> Automation:
    admin = await make_user(role=Role.ADMIN)
    made = await client.post("/api/tokens", json={"name": "n8n", "scopes": ["send"]}, headers=auth_headers(admin))
    connection = await make_connection(context, name="Vendas")
    return Automation(client, {"Authorization": f"Bearer {made.json()['token']}"}, connection)


async def messages_of(context: AppContext) -> list[Message]:
    async with unit_of_work(context.sessionmaker) as session:
        return list(await session.scalars(select(Message).order_by(Message.id)))


async def test_a_text_to_a_new_number_makes_contact_and_pending_ticket_and_queues_the_message(
    automation: Automation, context: AppContext
) -> None:
    response = await automation.send(
        connection_id=automation.connection.id, number=NUMBER, name="Lia", body="Seu pedido saiu!"
    )

    assert response.status_code == 201, response.text
    answer = response.json()
    (message,) = await messages_of(context)
    assert answer == {
        "message_id": message.id,
        "ticket_id": message.ticket_id,
        "contact_id": message.contact_id,
        "status": "pending",
        "created": True,
    }
    assert (message.body, message.from_me, message.status, message.sender_name) == (
        "Seu pedido saiu!",
        True,
        MessageStatus.PENDING,
        "API · n8n",
    )
    async with unit_of_work(context.sessionmaker) as session:
        ticket = await session.get(Ticket, message.ticket_id)
        contact = await session.get(Contact, message.contact_id)
        assert ticket is not None and ticket.status == TicketStatus.PENDING
        assert contact is not None and (contact.phone, contact.name) == (PHONE, "Lia")


async def test_the_same_client_id_twice_queues_one_message(automation: Automation, context: AppContext) -> None:
    body = {"connection": "Vendas", "number": NUMBER, "body": "Lembrete", "client_id": "order-42"}

    first = await automation.send(**body)
    again = await automation.send(**body)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["message_id"] == first.json()["message_id"] and again.json()["created"] is False
    assert len(await messages_of(context)) == 1


async def test_with_the_setting_off_a_message_goes_out_without_touching_the_inbox(
    automation: Automation, context: AppContext
) -> None:
    async with unit_of_work(context.sessionmaker) as session:
        await set_setting(session, SEND_API_OPENS_TICKET.name, False)
    contact = await make_contact(context, phone=PHONE)
    closed = await make_ticket(context, connection=automation.connection, contact=contact, status=TicketStatus.CLOSED)

    response = await automation.send(connection_id=automation.connection.id, number=NUMBER, body="Nota fiscal emitida")

    assert response.status_code == 201, response.text
    assert response.json()["ticket_id"] == closed.id
    async with unit_of_work(context.sessionmaker) as session:
        ticket = await session.get(Ticket, closed.id)
        assert ticket is not None and ticket.status == TicketStatus.CLOSED
        assert await session.scalar(select(func.count()).select_from(Ticket)) == 1


async def test_a_file_by_url_is_downloaded_and_sent_as_an_image(automation: Automation, context: AppContext) -> None:
    async def picture(_request: object) -> Response:
        return Response(PNG, media_type="image/png")

    async with serve(Starlette(routes=[Route("/foto.png", picture)])) as url:
        response = await automation.send(
            connection_id=automation.connection.id, number=NUMBER, body="Seu boleto", media_url=f"{url}/foto.png"
        )

    assert response.status_code == 201, response.text
    (message,) = await messages_of(context)
    assert (message.type, message.body, message.media_name) == (MessageType.IMAGE, "Seu boleto", "foto.png")


async def test_a_file_in_the_request_is_sent(automation: Automation, context: AppContext) -> None:
    response = await automation.client.post(
        "/api/v1/messages",
        data={"connection": "Vendas", "number": NUMBER},
        files={"media": ("grafico.png", PNG, "image/png")},
        headers=automation.headers,
    )

    assert response.status_code == 201, response.text
    (message,) = await messages_of(context)
    assert (message.type, message.body, message.media_name) == (MessageType.IMAGE, "", "grafico.png")


async def test_a_media_url_inside_our_network_is_refused_when_private_targets_are_not_allowed(
    automation: Automation, context: AppContext
) -> None:
    context.settings.allow_private_targets = False

    response = await automation.send(
        connection_id=automation.connection.id, number=NUMBER, body="x", media_url="http://169.254.169.254/latest/"
    )

    assert (response.status_code, response.json()["code"]) == (422, "private_address")
    assert await messages_of(context) == []


async def test_on_a_cloud_connection_text_needs_the_window_and_a_template_goes_out_with_its_variables(
    automation: Automation, context: AppContext
) -> None:
    async with unit_of_work(context.sessionmaker) as session:
        await session.execute(
            update(Connection).where(Connection.id == automation.connection.id).values(provider="cloud")
        )
        credentials = CloudCredentialsIn(phone_number_id="123", business_account_id="456", access_token="t")
        await cloud_service.set_credentials(session, context.settings, automation.connection.id, credentials)
        session.add(
            CloudTemplate(
                business_account_id="456",
                name="pedido_enviado",
                language="pt_BR",
                status="APPROVED",
                category="UTILITY",
                components=[{"type": "BODY", "text": "Olá {{1}}, seu pedido {{2}} saiu."}],
            )
        )

    text = await automation.send(connection="Vendas", number=NUMBER, name="Lia", body="Oi")
    template = await automation.send(
        connection="Vendas",
        number=NUMBER,
        name="Lia",
        template={"name": "pedido_enviado", "language": "pt_BR", "body": {"1": "{{name}}", "2": "#123"}},
    )

    assert (text.status_code, text.json()["code"]) == (409, "window_closed")
    assert template.status_code == 201, template.text
    (message,) = await messages_of(context)
    assert message.body == "Olá Lia, seu pedido #123 saiu."
    assert message.extra["template"]["body"] == [{"text": "Lia", "name": None}, {"text": "#123", "name": None}]


async def test_bad_requests_are_refused_with_a_reason(automation: Automation) -> None:
    nothing = await automation.send(connection="Vendas", number=NUMBER)
    both = await automation.send(connection="Vendas", connection_id=1, number=NUMBER, body="x")
    unknown = await automation.send(connection="Suporte", number=NUMBER, body="x")
    bad_number = await automation.send(connection="Vendas", number="12ab", body="x")

    assert nothing.status_code == both.status_code == 422
    assert (unknown.status_code, unknown.json()["code"]) == (404, "connection_not_found")
    assert bad_number.status_code == 422
