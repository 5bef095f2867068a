"""Who may call what: every route of the app, for anonymous / agent (outside and inside a ticket's scope) / admin.

`RULES` is the table. A route the app serves without an entry fails `test_every_route_has_a_rule`, so a
new route cannot ship without someone deciding who may call it. Each call also carries the security headers.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

import httpx
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from sqlalchemy import update
from starlette.routing import Mount

from tests.conftest import TEST_PASSWORD, make_settings
from tests.media.samples import spoken_wav
from tests.security.asgi_session import asgi_client
from tests.tickets.factories import (
    Desk,
    make_connection,
    make_contact,
    make_message,
    make_queue,
    make_staff,
    make_ticket,
)
from zapdesk.api_tokens import service as api_tokens
from zapdesk.api_tokens.schemas import ApiTokenCreate
from zapdesk.app import assemble_server, create_api
from zapdesk.auth.models import Scope
from zapdesk.cloud import service as cloud_service
from zapdesk.cloud.models import CloudTemplate
from zapdesk.cloud.schemas import CloudCredentialsIn
from zapdesk.connections.models import Connection, ConnectionStatus
from zapdesk.contacts.models import Contact, ContactField
from zapdesk.context import AppContext
from zapdesk.db.base import utcnow
from zapdesk.db.uow import unit_of_work
from zapdesk.dead_letters.models import DeadLetter
from zapdesk.messages.models import Message, MessageStatus
from zapdesk.quick_answers.models import QuickAnswer
from zapdesk.scheduled.models import ScheduledMessage, ScheduleState
from zapdesk.signin import service as signin_service
from zapdesk.tags.models import Tag
from zapdesk.tickets.models import Ticket, TicketStatus
from zapdesk.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
METRICS_TOKEN = "metrics-token-for-the-matrix-0123456789"
CLOUD_NUMBER_ID, CLOUD_ACCOUNT_ID = "1065403522", "1022901293"
_serial = itertools.count(1)

# public: anyone. signed_in: any user. admin: admins only (agents 403). ticket: users who may see the ticket in
# `World.ticket` (an agent of another queue gets 404, as if it did not exist). metrics: METRICS_TOKEN only.
# send: the send API (admins, and API tokens with the send scope).
# API tokens act as the administrator who made them, within their scopes: `read` may GET what signed-in users
# may, `send` only the send API, `admin` everything; any other call is 403.
Access = Literal["public", "signed_in", "admin", "ticket", "metrics", "send"]
TOKEN_PERSONAS = ("token_read", "token_send", "token_admin")
PERSONAS = ("anonymous", "agent_outside", "agent_inside", "admin", *TOKEN_PERSONAS)


@dataclass(frozen=True, order=True)
class RouteKey:
    method: str  # "MOUNT" for a mounted sub-application
    path: str
    name: str


@dataclass
class Call:
    path: str
    json: Any = None
    params: dict[str, str] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    data: dict[str, str] | None = None


@dataclass
class World:
    """What the calls act on: a ticket in `desk.queue` (seen by `agent_inside`, not by `agent_outside`)."""

    desk: Desk
    ticket: Ticket
    media_message_id: int
    contact_id: int
    inbound_id: int = 0  # a message the customer sent in the ticket
    customer_phone: str = ""
    spare: dict[str, int] = field(default_factory=dict)  # throwaway rows for the DELETE routes

    async def refresh_token(self) -> str:
        context = self.desk.context
        async with unit_of_work(context.sessionmaker) as session:
            signed_in = await signin_service.login(session, context.settings, self.desk.assignee.email, TEST_PASSWORD)
        return signed_in.refresh_token

    @property
    def ticket_id(self) -> int:
        return self.ticket.id

    async def failed_message(self) -> int:
        context = self.desk.context
        message = await make_message(context, ticket=self.ticket, from_me=True)
        async with unit_of_work(context.sessionmaker) as session:
            await session.execute(
                update(Message).where(Message.id == message.id).values(status=MessageStatus.FAILED, error="offline")
            )
        return message.id


Build = Callable[[World], Awaitable[Call]]


def fixed(path: str, **kwargs: Any) -> Build:
    async def build(world: World) -> Call:
        values = {"ticket": world.ticket_id, "contact": world.contact_id, **world.spare}
        values |= {"connection": world.desk.connection.id, "queue": world.desk.queue.id, "user": world.desk.assignee.id}
        values |= {"media": world.media_message_id, "cloud": world.desk.connection.id, "inbound": world.inbound_id}
        return Call(path.format(**values), **kwargs)

    return build


def at(make: Callable[[World], Call]) -> Build:
    async def build(world: World) -> Call:
        return make(world)

    return build


def unique(make: Callable[[World, int], Call]) -> Build:
    """A call whose body must differ each time (a new name, a new phone number)."""

    async def build(world: World) -> Call:
        return make(world, next(_serial))

    return build


async def _refresh_call(world: World) -> Call:
    return Call("/api/auth/refresh", json={"refresh_token": await world.refresh_token()})


async def _logout_call(world: World) -> Call:
    return Call("/api/auth/logout", json={"refresh_token": await world.refresh_token()})


async def _new_conversation(world: World) -> Call:
    contact = await make_contact(world.desk.context)
    return Call("/api/tickets", json={"contact_id": contact.id, "connection_id": world.desk.connection.id})


async def _retry_call(world: World) -> Call:
    return Call(f"/api/messages/{await world.failed_message()}/retry")


def _to_customer(world: World) -> dict[str, Any]:
    return {"connection_id": world.desk.connection.id, "number": world.customer_phone}


def _template(n: int) -> dict[str, Any]:
    return {"name": "pedido_pronto", "language": "pt_BR", "body": {"1": "{{name}}"}, "client_id": f"t{n}"}


_LATER = "2099-01-01T12:00:00Z"
_MONTH = {"start": "2026-12-01", "end": "2026-12-31"}


def _schedule_body(world: World) -> dict[str, Any]:
    return {"connection_id": world.desk.connection.id, "contact_id": world.contact_id, "send_at": _LATER}


async def _agents_schedule(world: World) -> int:
    """A message scheduled by the agent of the world's queue (a new one each time: cancelling ends one)."""
    context = world.desk.context
    async with unit_of_work(context.sessionmaker) as session:
        schedule = ScheduledMessage(
            connection_id=world.desk.connection.id,
            contact_id=world.contact_id,
            author_id=world.desk.agent_in_queue.id,
            body="Lembrete",
            send_at=utcnow() + timedelta(days=1),
            state=ScheduleState.SCHEDULED,
            open_ticket=True,
        )
        session.add(schedule)
        await session.flush()
        return schedule.id


def _on_agents_schedule(suffix: str, **kwargs: Any) -> Build:
    async def build(world: World) -> Call:
        return Call(f"/api/scheduled-messages/{await _agents_schedule(world)}{suffix}", **kwargs)

    return build


@dataclass(frozen=True)
class Rule:
    access: Access
    build: Build
    ok: frozenset[int] = frozenset({200})


def rule(access: Access, build: Build, *ok: int) -> Rule:
    return Rule(access, build, frozenset(ok or {200}))


def route(method: str, path: str, name: str) -> RouteKey:
    return RouteKey(method, path, name)


RULES: dict[RouteKey, Rule] = {
    # The docs, the schema, health, what the login page needs, and signing in.
    route("GET", "/api/openapi.json", "openapi"): rule("public", fixed("/api/openapi.json")),
    route("GET", "/api/docs", "docs_page"): rule("public", fixed("/api/docs")),
    route("GET", "/api/docs/start.js", "docs_start_script"): rule("public", fixed("/api/docs/start.js")),
    route("MOUNT", "/api/docs/assets", "docs-assets"): rule("public", fixed("/api/docs/assets/swagger-ui.css")),
    route("GET", "/api/health", "health"): rule("public", fixed("/api/health")),
    route("GET", "/api/meta", "meta"): rule("public", fixed("/api/meta")),
    route("POST", "/api/auth/login", "login"): rule(
        "public",
        at(lambda w: Call("/api/auth/login", json={"email": w.desk.assignee.email, "password": TEST_PASSWORD})),
    ),
    route("POST", "/api/auth/refresh", "refresh"): rule("public", _refresh_call),
    route("POST", "/api/auth/logout", "logout"): rule("public", _logout_call, 204),
    # A development tool without accounts; it is not mounted in production (tests/security/test_production.py).
    route("MOUNT", "/simulator", ""): rule("public", fixed("/simulator/api/sessions")),
    route("GET", "/metrics", "metrics"): rule("metrics", fixed("/metrics")),
    # Meta calls these without a user: the verify token and the signature are the check (tests/cloud).
    route("GET", "/api/webhooks/cloud/{connection_id}", "verify_webhook"): rule(
        "public", fixed("/api/webhooks/cloud/{cloud}", params={"hub.mode": "subscribe"}), 403
    ),
    route("POST", "/api/webhooks/cloud/{connection_id}", "receive_webhook"): rule(
        "public", fixed("/api/webhooks/cloud/{cloud}", json={"object": "whatsapp_business_account"}), 401
    ),
    # Any signed-in user.
    route("GET", "/api/auth/me", "me"): rule("signed_in", fixed("/api/auth/me")),
    route("GET", "/api/events", "events_after"): rule("signed_in", fixed("/api/events", params={"after": "0"})),
    route("GET", "/api/users/directory", "directory"): rule("signed_in", fixed("/api/users/directory")),
    route("GET", "/api/presence", "presence"): rule("signed_in", fixed("/api/presence")),
    # The same password again: every persona keeps signing in with it.
    route("POST", "/api/auth/me/password", "change_password"): rule(
        "signed_in",
        fixed("/api/auth/me/password", json={"current_password": TEST_PASSWORD, "new_password": TEST_PASSWORD}),
    ),
    route("GET", "/api/tags", "list_tags"): rule("signed_in", fixed("/api/tags")),
    route("GET", "/api/contact-fields", "list_contact_fields"): rule("signed_in", fixed("/api/contact-fields")),
    # The world's contact has no picture: whoever may look is told so (404), the others are refused first.
    route("GET", "/api/contacts/{contact_id}/avatar", "contact_avatar"): rule(
        "signed_in", fixed("/api/contacts/{contact}/avatar"), 404
    ),
    route("GET", "/api/notifications", "list_notifications"): rule("signed_in", fixed("/api/notifications")),
    route("POST", "/api/notifications/read", "mark_read"): rule("signed_in", fixed("/api/notifications/read", json={})),
    route("PUT", "/api/contacts/{contact_id}/tags/{tag_id}", "tag_contact"): rule(
        "signed_in", fixed("/api/contacts/{contact}/tags/{tag}")
    ),
    route("DELETE", "/api/contacts/{contact_id}/tags/{tag_id}", "untag_contact"): rule(
        "signed_in", fixed("/api/contacts/{contact}/tags/{tag}")
    ),
    route("GET", "/api/queues", "list_queues"): rule("signed_in", fixed("/api/queues")),
    route("GET", "/api/queues/{queue_id}", "get_queue"): rule("signed_in", fixed("/api/queues/{queue}")),
    route("GET", "/api/quick-answers", "list_quick_answers"): rule("signed_in", fixed("/api/quick-answers")),
    # Reports: everyone, each over the tickets they may see (tests/reports check what an agent's figures hold).
    route("GET", "/api/reports/now", "now"): rule("signed_in", fixed("/api/reports/now")),
    route("GET", "/api/reports/summary", "summary"): rule("signed_in", fixed("/api/reports/summary", params=_MONTH)),
    route("GET", "/api/reports/agents", "agents"): rule("signed_in", fixed("/api/reports/agents", params=_MONTH)),
    route("GET", "/api/reports/queues", "queues"): rule("signed_in", fixed("/api/reports/queues", params=_MONTH)),
    route("GET", "/api/reports/connections", "connections"): rule(
        "signed_in", fixed("/api/reports/connections", params=_MONTH)
    ),
    route("GET", "/api/reports/heatmap", "heatmap"): rule("signed_in", fixed("/api/reports/heatmap", params=_MONTH)),
    route("GET", "/api/reports/tickets", "tickets"): rule("signed_in", fixed("/api/reports/tickets", params=_MONTH)),
    route("PATCH", "/api/auth/me", "update_me"): rule("signed_in", fixed("/api/auth/me", json={"signature": True})),
    route("POST", "/api/tickets/{ticket_id}/render", "render_text"): rule(
        "ticket", fixed("/api/tickets/{ticket}/render", json={"text": "Olá {{first_name}}"})
    ),
    route("POST", "/api/quick-answers/{answer_id}/send", "send_quick_answer"): rule(
        "ticket",
        at(lambda w: Call(f"/api/quick-answers/{w.spare['answer']}/send", json={"ticket_id": w.ticket_id})),
        201,
    ),
    # Shared answers (the world's) are the administrators' to change, files included.
    route("PUT", "/api/quick-answers/{answer_id}/file", "attach_file"): rule(
        "admin", fixed("/api/quick-answers/{answer}/file", files={"file": ("photo.png", PNG, "image/png")})
    ),
    route("DELETE", "/api/quick-answers/{answer_id}/file", "remove_file"): rule(
        "admin", fixed("/api/quick-answers/{answer}/file")
    ),
    # Anyone may schedule; a scheduled message is seen only by its author and the administrators (others: 404).
    route("GET", "/api/scheduled-messages", "list_scheduled"): rule("signed_in", fixed("/api/scheduled-messages")),
    route("POST", "/api/scheduled-messages", "schedule_message"): rule(
        "signed_in", at(lambda w: Call("/api/scheduled-messages", json=_schedule_body(w) | {"body": "Oi"})), 201
    ),
    route("POST", "/api/scheduled-messages/with-file", "schedule_file"): rule(
        "signed_in",
        at(
            lambda w: Call(
                "/api/scheduled-messages/with-file",
                data={key: str(value) for key, value in _schedule_body(w).items()},
                files={"file": ("photo.png", PNG, "image/png")},
            )
        ),
        201,
    ),
    route("GET", "/api/scheduled-messages/{schedule_id:int}", "get_scheduled"): rule("ticket", _on_agents_schedule("")),
    route("PATCH", "/api/scheduled-messages/{schedule_id:int}", "update_scheduled"): rule(
        "ticket", _on_agents_schedule("", json={"body": "Lembrete de novo"})
    ),
    route("POST", "/api/scheduled-messages/{schedule_id:int}/cancel", "cancel_scheduled"): rule(
        "ticket", _on_agents_schedule("/cancel")
    ),
    route("POST", "/api/automation/menu-preview", "preview_menu"): rule(
        "admin", fixed("/api/automation/menu-preview", json={})
    ),
    route("GET", "/api/quick-answers/{answer_id}", "get_quick_answer"): rule(
        "signed_in", fixed("/api/quick-answers/{answer}")
    ),
    route("GET", "/api/connections", "list_connections"): rule("signed_in", fixed("/api/connections")),
    route("GET", "/api/connections/{connection_id}", "get_connection"): rule(
        "signed_in", fixed("/api/connections/{connection}")
    ),
    route("GET", "/api/contacts", "list_contacts"): rule("signed_in", fixed("/api/contacts")),
    route("POST", "/api/contacts", "create_contact"): rule(
        "signed_in", unique(lambda _w, n: Call("/api/contacts", json={"phone": f"55219{n:08d}", "name": f"C {n}"})), 201
    ),
    route("GET", "/api/contacts/{contact_id}", "get_contact"): rule("signed_in", fixed("/api/contacts/{contact}")),
    route("PATCH", "/api/contacts/{contact_id}", "update_contact"): rule(
        "signed_in", fixed("/api/contacts/{contact}", json={"name": "Maria Silva"})
    ),
    route("GET", "/api/tickets", "list_tickets"): rule("signed_in", fixed("/api/tickets")),
    route("POST", "/api/tickets", "start_conversation"): rule("signed_in", _new_conversation, 200, 201),
    route("GET", "/api/connections/{connection_id}/templates", "list_templates"): rule(
        "signed_in", fixed("/api/connections/{cloud}/templates")
    ),
    # Only those who may see the ticket (agents of its queue, its assignee, admins).
    route("GET", "/api/tickets/{ticket_id}/messages/search", "search_messages"): rule(
        "ticket", fixed("/api/tickets/{ticket}/messages/search", params={"q": "oi"})
    ),
    route("GET", "/api/tickets/{ticket_id}/messages/{message_id}/around", "list_messages_around"): rule(
        "ticket", fixed("/api/tickets/{ticket}/messages/{inbound}/around")
    ),
    route("GET", "/api/tickets/{ticket_id}/messages/{message_id}/newer", "list_messages_newer"): rule(
        "ticket", fixed("/api/tickets/{ticket}/messages/{inbound}/newer")
    ),
    route("GET", "/api/tickets/{ticket_id}/messages/window", "get_window"): rule(
        "ticket", fixed("/api/tickets/{ticket}/messages/window")
    ),
    route("POST", "/api/tickets/{ticket_id}/template-messages", "send_template_message"): rule(
        "ticket", unique(lambda w, n: Call(f"/api/tickets/{w.ticket_id}/template-messages", json=_template(n))), 201
    ),
    route("POST", "/api/tickets/{ticket_id}/template-messages/preview", "preview_template_message"): rule(
        "ticket", at(lambda w: Call(f"/api/tickets/{w.ticket_id}/template-messages/preview", json=_template(0)))
    ),
    route("GET", "/api/tickets/{ticket_id}", "get_ticket"): rule("ticket", fixed("/api/tickets/{ticket}")),
    route("PATCH", "/api/tickets/{ticket_id}", "update_ticket"): rule(
        "ticket", at(lambda w: Call(f"/api/tickets/{w.ticket_id}", json={"queue_id": w.desk.queue.id}))
    ),
    route("PUT", "/api/tickets/{ticket_id}/tags/{tag_id}", "tag_ticket"): rule(
        "ticket", fixed("/api/tickets/{ticket}/tags/{tag}")
    ),
    route("DELETE", "/api/tickets/{ticket_id}/tags/{tag_id}", "untag_ticket"): rule(
        "ticket", fixed("/api/tickets/{ticket}/tags/{tag}")
    ),
    route("POST", "/api/tickets/{ticket_id}/notes", "post_note"): rule(
        "ticket", unique(lambda w, n: Call(f"/api/tickets/{w.ticket_id}/notes", json={"body": f"Nota {n}"})), 201
    ),
    route("POST", "/api/tickets/{ticket_id}/typing", "post_typing"): rule(
        "ticket", fixed("/api/tickets/{ticket}/typing", json={"typing": True}), 204
    ),
    route("GET", "/api/tickets/{ticket_id}/events", "list_ticket_events"): rule(
        "ticket", fixed("/api/tickets/{ticket}/events")
    ),
    route("GET", "/api/tickets/{ticket_id}/messages", "list_messages"): rule(
        "ticket", fixed("/api/tickets/{ticket}/messages")
    ),
    route("POST", "/api/tickets/{ticket_id}/messages", "post_message"): rule(
        "ticket", unique(lambda w, n: Call(f"/api/tickets/{w.ticket_id}/messages", json={"body": f"Olá {n}"})), 201
    ),
    route("POST", "/api/tickets/{ticket_id}/messages", "post_media_message"): rule(
        "ticket",
        fixed("/api/tickets/{ticket}/messages", files={"file": ("photo.png", PNG, "image/png")}, data={"body": "x"}),
        201,
    ),
    route("GET", "/api/messages/{message_id}/media", "download_media"): rule(
        "ticket", fixed("/api/messages/{media}/media")
    ),
    route("POST", "/api/messages/{message_id}/retry", "retry_message"): rule("ticket", _retry_call),
    route("PUT", "/api/messages/{message_id}/reaction", "react_to_message"): rule(
        "ticket", fixed("/api/messages/{inbound}/reaction", json={"emoji": "👍"})
    ),
    # Only a message's author may edit or delete it: whoever sees the ticket is told so (403), others get 404.
    route("PATCH", "/api/messages/{message_id:int}", "edit_message"): rule(
        "ticket", fixed("/api/messages/{inbound}", json={"body": "corrigido"}), 403
    ),
    route("DELETE", "/api/messages/{message_id:int}", "delete_message"): rule(
        "ticket", fixed("/api/messages/{inbound}"), 403
    ),
    route("POST", "/api/messages/forward", "forward_messages"): rule(
        "ticket",
        at(lambda w: Call("/api/messages/forward", json={"message_ids": [w.inbound_id], "contact_id": w.contact_id})),
        201,
    ),
    route("POST", "/api/tickets/{ticket_id}/voice-notes", "post_voice_note"): rule(
        "ticket",
        fixed("/api/tickets/{ticket}/voice-notes", files={"file": ("voz.wav", spoken_wav(1), "audio/wav")}),
        201,
    ),
    # Administrators only.
    route("GET", "/api/users", "list_users"): rule("admin", fixed("/api/users")),
    route("POST", "/api/users", "create_user"): rule(
        "admin",
        unique(
            lambda _w, n: Call("/api/users", json={"name": f"U {n}", "email": f"u{n}@x.com", "password": "long-enough"})
        ),
        201,
    ),
    route("GET", "/api/users/{user_id:int}", "get_user"): rule("admin", fixed("/api/users/{user}")),
    route("PATCH", "/api/users/{user_id:int}", "update_user"): rule(
        "admin", fixed("/api/users/{user}", json={"name": "Ana"})
    ),
    route("DELETE", "/api/users/{user_id:int}", "delete_user"): rule("admin", fixed("/api/users/{spare_user}"), 204),
    route("POST", "/api/queues", "create_queue"): rule(
        "admin", unique(lambda _w, n: Call("/api/queues", json={"name": f"Fila {n}"})), 201
    ),
    route("PATCH", "/api/queues/{queue_id}", "update_queue"): rule(
        "admin", fixed("/api/queues/{queue}", json={"color": "#123456"})
    ),
    route("DELETE", "/api/queues/{queue_id}", "delete_queue"): rule("admin", fixed("/api/queues/{spare_queue}"), 204),
    # An agent's answer is personal (theirs alone); an administrator's is shared.
    route("POST", "/api/quick-answers", "create_quick_answer"): rule(
        "signed_in", unique(lambda _w, n: Call("/api/quick-answers", json={"shortcut": f"a{n}", "text": "Olá!"})), 201
    ),
    route("PATCH", "/api/quick-answers/{answer_id}", "update_quick_answer"): rule(
        "admin", fixed("/api/quick-answers/{answer}", json={"text": "Bom dia!"})
    ),
    route("GET", "/api/dead-letters", "list_dead_letters"): rule("admin", fixed("/api/dead-letters")),
    route("POST", "/api/dead-letters/{dead_letter_id}/retry", "retry_dead_letter"): rule(
        "admin", fixed("/api/dead-letters/{dead_letter}/retry")
    ),
    route("DELETE", "/api/dead-letters/{dead_letter_id}", "discard_dead_letter"): rule(
        "admin", fixed("/api/dead-letters/{spare_dead_letter}"), 204
    ),
    route("DELETE", "/api/quick-answers/{answer_id}", "delete_quick_answer"): rule(
        "admin", fixed("/api/quick-answers/{spare_answer}"), 204
    ),
    route("POST", "/api/tags", "create_tag"): rule(
        "admin", unique(lambda _w, n: Call("/api/tags", json={"name": f"Etiqueta {n}"})), 201
    ),
    route("PATCH", "/api/tags/{tag_id}", "update_tag"): rule(
        "admin", fixed("/api/tags/{tag}", json={"color": "#123456"})
    ),
    route("DELETE", "/api/tags/{tag_id}", "delete_tag"): rule("admin", fixed("/api/tags/{spare_tag}"), 204),
    route("POST", "/api/contact-fields", "create_contact_field"): rule(
        "admin", unique(lambda _w, n: Call("/api/contact-fields", json={"label": f"Campo {n}"})), 201
    ),
    route("PATCH", "/api/contact-fields/{field_id}", "update_contact_field"): rule(
        "admin", fixed("/api/contact-fields/{field}", json={"label": "Outro nome"})
    ),
    route("DELETE", "/api/contact-fields/{field_id}", "delete_contact_field"): rule(
        "admin", fixed("/api/contact-fields/{spare_field}"), 204
    ),
    route("GET", "/api/messages/{message_id:int}/history", "message_history"): rule(
        "admin", fixed("/api/messages/{inbound}/history")
    ),
    route("GET", "/api/settings", "list_settings"): rule("admin", fixed("/api/settings")),
    route("PUT", "/api/settings/ignore_group_messages", "put_ignore_group_messages"): rule(
        "admin", fixed("/api/settings/ignore_group_messages", json={"value": True})
    ),
    route("PUT", "/api/settings/send_greeting_on_new_ticket", "put_send_greeting_on_new_ticket"): rule(
        "admin", fixed("/api/settings/send_greeting_on_new_ticket", json={"value": True})
    ),
    route("PUT", "/api/settings/outbound_min_interval_ms", "put_outbound_min_interval_ms"): rule(
        "admin", fixed("/api/settings/outbound_min_interval_ms", json={"value": 1000})
    ),
    route("PUT", "/api/settings/send_api_opens_ticket", "put_send_api_opens_ticket"): rule(
        "admin", fixed("/api/settings/send_api_opens_ticket", json={"value": True})
    ),
    route("PUT", "/api/settings/agent_signature", "put_agent_signature"): rule(
        "admin", fixed("/api/settings/agent_signature", json={"value": True})
    ),
    route("PUT", "/api/settings/timezone", "put_timezone"): rule(
        "admin", fixed("/api/settings/timezone", json={"value": "America/Sao_Paulo"})
    ),
    route("DELETE", "/api/contacts/{contact_id}", "delete_contact"): rule(
        "admin", fixed("/api/contacts/{spare_contact}"), 204
    ),
    route("POST", "/api/connections", "create_connection"): rule(
        "admin",
        unique(lambda _w, n: Call("/api/connections", json={"name": f"Número {n}", "provider": "simulator"})),
        201,
    ),
    route("PATCH", "/api/connections/{connection_id}", "update_connection"): rule(
        "admin", fixed("/api/connections/{connection}", json={"greeting_message": "Olá!"})
    ),
    route("DELETE", "/api/connections/{connection_id}", "delete_connection"): rule(
        "admin", fixed("/api/connections/{spare_connection}"), 204
    ),
    route("GET", "/api/connections/{connection_id}/cloud", "get_cloud_account"): rule(
        "admin", fixed("/api/connections/{cloud}/cloud")
    ),
    route("PUT", "/api/connections/{connection_id}/cloud", "put_cloud_account"): rule(
        "admin",
        fixed(
            "/api/connections/{cloud}/cloud",
            json={"phone_number_id": CLOUD_NUMBER_ID, "business_account_id": CLOUD_ACCOUNT_ID, "app_secret": "s"},
        ),
    ),
    route("GET", "/api/tokens", "list_tokens"): rule("admin", fixed("/api/tokens")),
    route("GET", "/api/webhook-endpoints", "list_endpoints"): rule("admin", fixed("/api/webhook-endpoints")),
    route("POST", "/api/webhook-endpoints", "create_endpoint"): rule(
        "admin",
        fixed("/api/webhook-endpoints", json={"url": "http://127.0.0.1:9/hook", "events": ["ticket.created"]}),
        201,
    ),
    route("PATCH", "/api/webhook-endpoints/{endpoint_id}", "update_endpoint"): rule(
        "admin", fixed("/api/webhook-endpoints/{endpoint}", json={"description": "n8n"})
    ),
    route("DELETE", "/api/webhook-endpoints/{endpoint_id}", "delete_endpoint"): rule(
        "admin", fixed("/api/webhook-endpoints/{spare_endpoint}"), 204
    ),
    route("GET", "/api/webhook-endpoints/{endpoint_id}/deliveries", "list_deliveries"): rule(
        "admin", fixed("/api/webhook-endpoints/{endpoint}/deliveries")
    ),
    route("POST", "/api/webhook-deliveries/{delivery_id}/resend", "resend_delivery"): rule(
        "admin", fixed("/api/webhook-deliveries/{delivery}/resend")
    ),
    route("POST", "/api/tokens", "create_token"): rule(
        "admin", fixed("/api/tokens", json={"name": "Typebot", "scopes": ["send"]}), 201
    ),
    route("DELETE", "/api/tokens/{token_id}", "revoke_token"): rule("admin", fixed("/api/tokens/{spare_token}")),
    route("POST", "/api/v1/messages", "send_message"): rule(
        "send",
        unique(lambda w, n: Call("/api/v1/messages", json={**_to_customer(w), "body": "Oi", "client_id": f"s{n}"})),
        201,
    ),
    route("POST", "/api/v1/messages", "send_media_message"): rule(
        "send",
        at(lambda w: Call("/api/v1/messages", data=_to_customer(w), files={"media": ("a.png", PNG, "image/png")})),
        201,
    ),
    route("POST", "/api/connections/{connection_id}/connect", "connect"): rule(
        "admin", fixed("/api/connections/{spare_linking}/connect"), 202
    ),
    route("GET", "/api/connections/{connection_id}/qr", "current_qr"): rule(
        "admin", fixed("/api/connections/{spare_qr}/qr")
    ),
    route("GET", "/api/connections/{connection_id}/pairing-code", "current_pairing_code"): rule(
        "admin", fixed("/api/connections/{spare_qr}/pairing-code")
    ),
    route("POST", "/api/connections/{connection_id}/logout", "logout"): rule(
        "admin", fixed("/api/connections/{spare_linking}/logout"), 202
    ),
    route("POST", "/api/connections/{connection_id}/restart", "restart"): rule(
        "admin", fixed("/api/connections/{spare_linking}/restart"), 202
    ),
}


def route_keys(api: FastAPI) -> set[RouteKey]:
    """Every (method, path, endpoint) the app routes, HEAD aside; a mounted app counts as one."""
    keys: set[RouteKey] = set()
    for context in iter_route_contexts(api.routes):
        if isinstance(context.original_route, Mount):
            keys.add(RouteKey("MOUNT", str(context.path), context.name or ""))
            continue
        for method in sorted(set(context.methods or ()) - {"HEAD"}):
            keys.add(RouteKey(method, str(context.path), str(context.name)))
    return keys


def expected(access: Access, persona: str, ok: frozenset[int], method: str = "GET") -> frozenset[int]:
    if access == "public":
        return ok
    if access == "metrics" or persona == "anonymous":
        return frozenset({401})  # a user's token is not the metrics token
    if persona in TOKEN_PERSONAS:
        return _token_expected(access, persona, ok, method)
    if access == "send":
        return ok if persona == "admin" else frozenset({403})
    if access == "admin" and persona != "admin":
        return frozenset({403})
    if access == "ticket" and persona == "agent_outside":
        return frozenset({404})
    return ok


def _token_expected(access: Access, persona: str, ok: frozenset[int], method: str) -> frozenset[int]:
    if persona == "token_admin":
        return ok
    if access == "send":
        return ok if persona == "token_send" else frozenset({403})
    reads = method == "GET" and access in ("signed_in", "ticket")
    return ok if persona == "token_read" and reads else frozenset({403})


def test_every_route_has_a_rule(tmp_path: Path) -> None:
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}", tmp_path)
    served = route_keys(create_api(AppContext.from_settings(settings)))

    assert sorted(served - RULES.keys()) == [], "routes without a rule: add each to RULES with who may call it"
    assert sorted(RULES.keys() - served) == [], "rules for routes the app no longer has"


async def _world(desk: Desk) -> World:
    """The desk's one connection is a Cloud API one, so that its routes (templates, window) act for real."""
    context = desk.context
    ticket = await make_ticket(context, connection=desk.connection, queue=desk.queue, status=TicketStatus.OPEN)
    inbound = await make_message(context, ticket=ticket, from_me=False)
    credentials = CloudCredentialsIn(
        phone_number_id=CLOUD_NUMBER_ID, business_account_id=CLOUD_ACCOUNT_ID, access_token="t", app_secret="s"
    )
    template = {"type": "BODY", "text": "Olá {{1}}, seu pedido está pronto."}
    async with unit_of_work(context.sessionmaker) as session:
        await session.execute(update(Connection).where(Connection.id == desk.connection.id).values(provider="cloud"))
        await cloud_service.set_credentials(session, context.settings, desk.connection.id, credentials)
        # The customer wrote just now: the 24-hour window is open for free text.
        await session.execute(
            update(Message).where(Message.id == inbound.id).values(sent_at=utcnow(), external_id="wamid.inbound")
        )
        session.add(
            CloudTemplate(
                business_account_id=CLOUD_ACCOUNT_ID,
                name="pedido_pronto",
                language="pt_BR",
                status="APPROVED",
                category="UTILITY",
                components=[template],
            )
        )
    spare_qr = await make_connection(context, name="QR")
    async with unit_of_work(context.sessionmaker) as session:
        await session.execute(
            update(Connection)
            .where(Connection.id == spare_qr.id)
            .values(
                status=ConnectionStatus.QR,
                qr_code="2@scan-me",
                qr_expires_at=utcnow() + timedelta(minutes=2),
                pairing_code="ABCD-1234",
                pairing_code_expires_at=utcnow() + timedelta(minutes=2),
            )
        )
        answer = QuickAnswer(shortcut="ola", text="Olá!")
        # An event a later version wrote: a retry fails again (and keeps it), whoever may call it.
        dead_letter = _dead_letter(desk)
        session.add_all([answer, dead_letter])
    async with unit_of_work(context.sessionmaker) as session:
        contact = await session.get(Contact, ticket.contact_id)
        assert contact is not None
        spare_token, _secret = await api_tokens.create_token(
            session, desk.admin, ApiTokenCreate(name="spare", scopes=[Scope.READ])
        )
        # A receiver that never answers (the discard port): deliveries just wait for their retries.
        endpoint = WebhookEndpoint(url="http://127.0.0.1:9/hook", events=["ticket.created"], secret="x")
        session.add(endpoint)
        await session.flush()
        delivery = WebhookDelivery(
            endpoint_id=endpoint.id,
            message_id="msg_matrix",
            event="ticket.created",
            ordering_key="ticket:0",
            payload={},
            status=DeliveryStatus.FAILED,
        )
        session.add(delivery)
        tag = Tag(name="VIP")
        field = ContactField(key="cpf", label="CPF")
        session.add_all([tag, field])
    world = World(
        desk=desk,
        ticket=ticket,
        media_message_id=0,
        contact_id=ticket.contact_id,
        inbound_id=inbound.id,
        customer_phone=contact.phone,
    )
    world.spare = {
        "answer": answer.id,
        "dead_letter": dead_letter.id,
        "spare_linking": (await make_connection(context)).id,
        "spare_qr": spare_qr.id,
        "spare_token": spare_token.id,
        "endpoint": endpoint.id,
        "delivery": delivery.id,
        "tag": tag.id,
        "field": field.id,
        **await _deletable(desk),
    }
    return world


async def _deletable(desk: Desk) -> dict[str, int]:
    """Rows for the DELETE routes: one set per caller allowed to delete (an administrator, an admin token)."""
    context = desk.context
    async with unit_of_work(context.sessionmaker) as session:
        spare_answer = QuickAnswer(shortcut=f"tchau{next(_serial)}", text="Tchau!")
        session.add(spare_answer)
    async with unit_of_work(context.sessionmaker) as session:
        spare_endpoint = WebhookEndpoint(url="http://127.0.0.1:9/spare", events=["ticket.created"], secret="x")
        spare_dead_letter = _dead_letter(desk)
        serial = next(_serial)
        spare_tag = Tag(name=f"Sobrando {serial}")
        spare_field = ContactField(key=f"sobrando_{serial}", label=f"Sobrando {serial}")
        session.add_all([spare_endpoint, spare_dead_letter, spare_tag, spare_field])
    return {
        "spare_endpoint": spare_endpoint.id,
        "spare_answer": spare_answer.id,
        "spare_dead_letter": spare_dead_letter.id,
        "spare_tag": spare_tag.id,
        "spare_field": spare_field.id,
        "spare_user": (await make_staff(context, name="Spare")).id,
        "spare_queue": (await make_queue(context)).id,
        "spare_contact": (await make_contact(context)).id,
        "spare_connection": (await make_connection(context)).id,
    }


def _dead_letter(desk: Desk) -> DeadLetter:
    return DeadLetter(
        connection_id=desk.connection.id, kind="Future", event={"type": "Future", "fields": {}}, error="x"
    )


async def _token_headers(desk: Desk, scope: str) -> dict[str, str]:
    async with unit_of_work(desk.context.sessionmaker) as session:
        data = ApiTokenCreate(name=f"matrix {scope}", scopes=[Scope(scope)])
        _token, secret = await api_tokens.create_token(session, desk.admin, data)
    return {"Authorization": f"Bearer {secret}"}


async def _send(client: httpx.AsyncClient, method: str, call: Call, headers: dict[str, str]) -> httpx.Response:
    return await client.request(
        method, call.path, json=call.json, params=call.params, files=call.files, data=call.data, headers=headers
    )


async def test_each_route_answers_each_caller_as_its_rule_says(desk: Desk) -> None:
    desk.context.settings.metrics_token = METRICS_TOKEN
    world = await _world(desk)
    headers = {
        "anonymous": {},
        "agent_outside": desk.auth_headers(desk.agent_not_in_queue),
        "agent_inside": desk.auth_headers(desk.agent_in_queue),
        "admin": desk.auth_headers(desk.admin),
        **{persona: await _token_headers(desk, persona.removeprefix("token_")) for persona in TOKEN_PERSONAS},
    }
    mismatches: list[str] = []
    async with asgi_client(assemble_server(desk.context).asgi) as client:
        upload = await _send(
            client,
            "POST",
            await RULES[route("POST", "/api/tickets/{ticket_id}/messages", "post_media_message")].build(world),
            headers["admin"],
        )
        assert upload.status_code == 201, upload.text
        world.media_message_id = upload.json()["id"]
        for key, entry in sorted(RULES.items()):
            method = "GET" if key.method == "MOUNT" else key.method
            callers = [(persona, headers[persona]) for persona in PERSONAS]
            if entry.access == "metrics":
                callers.append(("metrics_token", {"Authorization": f"Bearer {METRICS_TOKEN}"}))
            for persona, persona_headers in callers:
                if method == "DELETE" and persona == "token_admin":
                    world.spare.update(await _deletable(desk))  # the administrator deleted the first ones
                response = await _send(client, method, await entry.build(world), persona_headers)
                allowed = entry.ok if persona == "metrics_token" else expected(entry.access, persona, entry.ok, method)
                if response.status_code not in allowed:
                    mismatches.append(
                        f"{key.method} {key.path} ({key.name}) as {persona}: {response.status_code}, "
                        f"expected {sorted(allowed)}: {response.text[:200]}"
                    )
                if response.status_code in (401, 403, 404) and key.path.startswith("/api"):
                    body = response.json()
                    if not (isinstance(body.get("detail"), str) and isinstance(body.get("code"), str)):
                        mismatches.append(f"{key.method} {key.path} as {persona}: refusal without detail/code")
                if response.headers.get("x-content-type-options") != "nosniff" or not response.headers.get(
                    "content-security-policy"
                ):
                    mismatches.append(f"{key.method} {key.path} as {persona}: security headers missing")
    assert not mismatches, "\n".join(mismatches)


async def test_lists_and_catch_up_show_an_agent_only_the_tickets_in_their_scope(desk: Desk) -> None:
    # A route's status is not the whole story: its lists (and the events it replays) must not leak the ticket either.
    world = await _world(desk)
    seen = {}
    async with asgi_client(assemble_server(desk.context).asgi) as client:
        posted = await client.post(
            f"/api/tickets/{world.ticket_id}/messages", json={"body": "olá"}, headers=desk.auth_headers(desk.admin)
        )
        assert posted.status_code == 201, posted.text
        for agent in (desk.agent_not_in_queue, desk.agent_in_queue):
            headers = desk.auth_headers(agent)
            listed = (await client.get("/api/tickets", headers=headers)).json()["items"]
            caught_up = (await client.get("/api/events", params={"after": 0}, headers=headers)).json()
            assert caught_up["resync"] is False
            ids = {ticket["id"] for ticket in listed}
            for event in caught_up["events"]:
                if event["name"].startswith(("ticket.", "message.")):
                    ids.add(event["payload"].get("ticket_id", event["payload"]["id"]))
            seen[agent.name] = world.ticket_id in ids

    assert seen == {desk.agent_not_in_queue.name: False, desk.agent_in_queue.name: True}
