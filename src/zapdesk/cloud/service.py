"""Cloud API rules: a `cloud` connection's credentials (secrets encrypted, never shown), the templates of its
WhatsApp Business Account (listed from the Graph API and cached), and template messages queued in a ticket."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.cloud.models import CloudAccount, CloudTemplate
from zapdesk.cloud.schemas import (
    CloudAccountOut,
    CloudCredentialsIn,
    TemplateMessageCreate,
    TemplateOut,
    TemplateVariable,
)
from zapdesk.config import Settings
from zapdesk.connections import service as connections
from zapdesk.connections.models import Connection, DesiredState, Provider
from zapdesk.contacts.models import Contact
from zapdesk.db.base import utcnow
from zapdesk.engine.cloud.adapter import ACCESS_TOKEN, BUSINESS_ACCOUNT_ID, PHONE_NUMBER_ID
from zapdesk.engine.cloud.graph import GraphClient, GraphError
from zapdesk.errors import Conflict, Invalid, NotFound, ServiceUnavailable
from zapdesk.kit.secrets import SecretBox, UnreadableSecret
from zapdesk.messages.models import Message
from zapdesk.messages.service import Outbound, queue_outbound
from zapdesk.templates.engine import render, variables_in
from zapdesk.tickets.models import Ticket
from zapdesk.tickets.service import get_visible_ticket
from zapdesk.tickets.variables import contact_name
from zapdesk.users.models import User

# Listed templates are refetched from Meta when older than this (or on demand).
TEMPLATES_FRESH_FOR = timedelta(minutes=10)
_SECRET_FIELDS = ("access_token", "app_secret", "verify_token")


@dataclass(frozen=True, slots=True)
class CloudSecrets:
    access_token: str = ""
    app_secret: str = ""
    verify_token: str = ""


def webhook_path(connection_id: int) -> str:
    return f"/api/webhooks/cloud/{connection_id}"


def graph_base_url(settings: Settings) -> str:
    return f"{settings.cloud_graph_url.rstrip('/')}/{settings.cloud_graph_version}"


# ---- credentials ----------------------------------------------------------------------------------------------


def open_secrets(box: SecretBox, account: CloudAccount) -> CloudSecrets:
    """The account's secrets; empty ones when no configured key opens them (the UI then asks for them again)."""
    try:
        stored = json.loads(box.decrypt(account.secrets))
    except (UnreadableSecret, ValueError):
        return CloudSecrets()
    return CloudSecrets(**{name: str(stored.get(name, "")) for name in _SECRET_FIELDS})


def account_out(box: SecretBox, account: CloudAccount) -> CloudAccountOut:
    secrets = open_secrets(box, account)
    return CloudAccountOut(
        connection_id=account.connection_id,
        phone_number_id=account.phone_number_id,
        business_account_id=account.business_account_id,
        has_access_token=bool(secrets.access_token),
        has_app_secret=bool(secrets.app_secret),
        has_verify_token=bool(secrets.verify_token),
        webhook_path=webhook_path(account.connection_id),
    )


async def get_account(session: AsyncSession, connection_id: int) -> CloudAccount:
    account = await session.get(CloudAccount, connection_id)
    if account is None:
        await _cloud_connection(session, connection_id)
        raise NotFound("This connection has no Cloud API account yet.", code="cloud_account_missing")
    return account


async def set_credentials(
    session: AsyncSession, settings: Settings, connection_id: int, data: CloudCredentialsIn
) -> CloudAccount:
    """Store (or change) the account; a secret left out keeps its value. A running session starts again with it."""
    connection = await _cloud_connection(session, connection_id, lock=True)
    box = SecretBox(settings)
    account = await session.get(CloudAccount, connection_id)
    current = open_secrets(box, account) if account is not None else CloudSecrets()
    given = data.model_dump(include=set(_SECRET_FIELDS), exclude_none=True)
    merged = {name: given.get(name, getattr(current, name)) for name in _SECRET_FIELDS}
    sealed = box.encrypt(json.dumps(merged))
    if account is None:
        account = CloudAccount(connection_id=connection_id, secrets=sealed)
        session.add(account)
    account.phone_number_id, account.business_account_id = data.phone_number_id, data.business_account_id
    account.secrets = sealed
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict("Another connection already uses this phone number id.", code="phone_number_id_taken") from exc
    if connection.desired_state == DesiredState.RUNNING:
        await connections.restart(session, settings, connection_id)
    return account


async def engine_credentials(
    session: AsyncSession, settings: Settings, connection_ids: set[int]
) -> dict[int, dict[str, str]]:
    """What the `cloud` engines of these connections start with (`SessionTarget.extra`)."""
    if not connection_ids:
        return {}
    box = SecretBox(settings)
    accounts = await session.execute(select(CloudAccount).where(CloudAccount.connection_id.in_(connection_ids)))
    return {
        account.connection_id: {
            PHONE_NUMBER_ID: account.phone_number_id,
            BUSINESS_ACCOUNT_ID: account.business_account_id,
            ACCESS_TOKEN: open_secrets(box, account).access_token,
        }
        for account in accounts.scalars()
    }


async def _cloud_connection(session: AsyncSession, connection_id: int, *, lock: bool = False) -> Connection:
    connection = await connections.get_connection(session, connection_id, for_update=lock)
    if connection.provider != Provider.CLOUD:
        raise Conflict("Only a Cloud API connection has Meta credentials.", code="not_a_cloud_connection")
    return connection


# ---- templates --------------------------------------------------------------------------------------------------


async def list_templates(
    session: AsyncSession, settings: Settings, connection_id: int, *, refresh: bool = False
) -> list[CloudTemplate]:
    """The approved templates of the connection's WhatsApp Business Account, from the cache when fresh."""
    account = await get_account(session, connection_id)
    waba = account.business_account_id
    query = select(CloudTemplate).where(CloudTemplate.business_account_id == waba)
    cached = list((await session.execute(query.order_by(CloudTemplate.name, CloudTemplate.language))).scalars())
    stale = not cached or min(template.fetched_at for template in cached) < utcnow() - TEMPLATES_FRESH_FOR
    if refresh or stale:
        cached = await _refetch_templates(session, settings, account)
    return [template for template in cached if template.status == "APPROVED"]


async def _refetch_templates(session: AsyncSession, settings: Settings, account: CloudAccount) -> list[CloudTemplate]:
    token = open_secrets(SecretBox(settings), account).access_token
    graph = GraphClient(graph_base_url(settings), token)
    try:
        listed = await graph.templates(account.business_account_id)
    except GraphError as exc:
        raise ServiceUnavailable(
            f"Meta did not list the templates: {exc.readable}", code="templates_unavailable"
        ) from exc
    finally:
        await graph.aclose()
    waba, now = account.business_account_id, utcnow()
    await session.execute(delete(CloudTemplate).where(CloudTemplate.business_account_id == waba))
    fresh = [
        CloudTemplate(
            business_account_id=waba,
            name=str(item.get("name", "")),
            language=str(item.get("language", "")),
            status=str(item.get("status", "")),
            category=str(item.get("category", "")),
            components=list(item.get("components", [])),
            fetched_at=now,
        )
        for item in listed
        if item.get("name") and item.get("language")
    ]
    session.add_all(fresh)
    await session.flush()
    return sorted(fresh, key=lambda template: (template.name, template.language))


def _component_text(template: CloudTemplate, kind: str) -> str | None:
    for component in template.components:
        if str(component.get("type", "")).upper() == kind and (kind != "HEADER" or component.get("format") == "TEXT"):
            text = component.get("text")
            return str(text) if text is not None else None
    return None


def template_out(template: CloudTemplate) -> TemplateOut:
    header, body = _component_text(template, "HEADER"), _component_text(template, "BODY") or ""
    variables = [TemplateVariable(part="header", key=key) for key in variables_in(header or "")]
    variables += [TemplateVariable(part="body", key=key) for key in variables_in(body)]
    return TemplateOut(
        name=template.name,
        language=template.language,
        category=template.category,
        status=template.status,
        header=header,
        body=body,
        footer=_component_text(template, "FOOTER"),
        variables=variables,
    )


# ---- template messages ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RenderedTemplate:
    text: str  # what the customer reads
    payload: dict[str, Any]  # `OutgoingTemplate` as JSON, kept on the message for the outbox


async def render_for_ticket(
    session: AsyncSession, ticket: Ticket, data: TemplateMessageCreate, *, agent: str | None
) -> RenderedTemplate:
    """The template with its variables filled; each value may itself use zapdesk's placeholders."""
    template = await _find_template(session, ticket.connection_id, data.name, data.language)
    described = template_out(template)
    contact = await session.get(Contact, ticket.contact_id)
    ours = {
        "name": contact_name(contact) if contact else "",
        "phone": contact.phone if contact else "",
        "ticket": str(ticket.id),
        "agent": agent or "",
    }
    given = {"header": data.header, "body": data.body}
    values: dict[str, dict[str, str]] = {"header": {}, "body": {}}
    for variable in described.variables:
        value = render(given[variable.part].get(variable.key, ""), ours).strip()
        if not value:
            raise Invalid(
                f"Fill the template's {variable.part} variable {{{{{variable.key}}}}}.",
                code="template_variable_missing",
            )
        values[variable.part][variable.key] = value
    parts = [
        render(described.header or "", values["header"]),
        render(described.body, values["body"]),
    ]
    parts.append(described.footer or "")
    named = all(not key.isdigit() for part in values.values() for key in part)

    def parameters(part: str) -> list[dict[str, str | None]]:
        return [{"text": text, "name": key if named else None} for key, text in values[part].items()]

    payload = {
        "name": template.name,
        "language": template.language,
        "header": parameters("header"),
        "body": parameters("body"),
    }
    return RenderedTemplate(text="\n\n".join(part for part in parts if part), payload=payload)


async def send_template(
    session: AsyncSession, user: User, ticket_id: int, data: TemplateMessageCreate
) -> tuple[Message, bool]:
    ticket = await get_visible_ticket(session, user, ticket_id, lock=True)
    rendered = await render_for_ticket(session, ticket, data, agent=user.name)
    outbound = Outbound(
        body=rendered.text,
        author_id=user.id,
        sender_name=user.name,
        client_id=data.client_id,
        template=rendered.payload,
    )
    return await queue_outbound(session, ticket, outbound)


async def preview_template(session: AsyncSession, user: User, ticket_id: int, data: TemplateMessageCreate) -> str:
    ticket = await get_visible_ticket(session, user, ticket_id)
    return (await render_for_ticket(session, ticket, data, agent=user.name)).text


async def _find_template(session: AsyncSession, connection_id: int, name: str, language: str) -> CloudTemplate:
    account = await session.get(CloudAccount, connection_id)
    template = None
    if account is not None:
        query = select(CloudTemplate).where(
            CloudTemplate.business_account_id == account.business_account_id,
            CloudTemplate.name == name,
            CloudTemplate.language == language,
            CloudTemplate.status == "APPROVED",
        )
        template = (await session.execute(query)).scalar_one_or_none()
    if template is None:
        raise NotFound(
            f"There is no approved template {name} ({language}) for this ticket's connection.",
            code="template_not_found",
        )
    return template
