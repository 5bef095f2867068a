"""The `cloud` engine: one business phone number on Meta's WhatsApp Business Cloud API.

Outbound only: inbound messages and statuses reach the API process by webhook (`engine.cloud.webhook`), so this
engine emits nothing but its state. Starting checks the credentials against the Graph API (`CONNECTED` with the
number's name, quality rating and messaging limit, or `FAILED` with Meta's words); sending posts to the Graph API
and turns Meta's throughput errors into `Throttled`, so the outbox slows down instead of failing messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Any, TypeVar

from zapdesk.config import Settings
from zapdesk.engine.base import EngineError, EventHandler, NotConnected, Throttled
from zapdesk.engine.cloud.graph import GraphClient, GraphError
from zapdesk.engine.cloud.webhook import OWN_ID_PREFIX
from zapdesk.engine.events import (
    AccountProfile,
    Chat,
    EngineState,
    MediaKind,
    OutgoingMedia,
    OutgoingMessage,
    OutgoingTemplate,
    SendResult,
    SessionTarget,
    StateChanged,
    TemplateParameter,
)
from zapdesk.kit.phones import phone_or_none

log = logging.getLogger(__name__)
T = TypeVar("T")

# What `SessionTarget.extra` must hold to start.
PHONE_NUMBER_ID = "phone_number_id"
BUSINESS_ACCOUNT_ID = "business_account_id"
ACCESS_TOKEN = "access_token"  # noqa: S105 - the key's name, not a secret

# Sends in flight at once (to different chats): Meta's default throughput is 80 messages per second.
PARALLEL_SENDS = 32

# Meta's error codes (developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes).
_THROUGHPUT = {130429: 2.0, 80007: 60.0, 4: 60.0}  # the number (or app) sends too fast: hold back this long
_PAIR_RATE_LIMIT = 131056  # too many messages to one person: only that chat waits
_PAIR_RATE_SECONDS = 6.0
_TRANSIENT = {1, 2, 131000, 133004}
_TOKEN_REFUSED = 190
_CREDENTIALS_REFUSED_STATUS = {401, 403}
_NO_CAPTION = {"audio", "sticker"}


class CloudEngine:
    """Implements `zapdesk.engine.base.Engine` (and `SendsInParallel`) for one Cloud API phone number."""

    parallel_sends = PARALLEL_SENDS

    def __init__(self, settings: Settings, handler: EventHandler, *, connection_key: str = "") -> None:
        self.base_url = f"{settings.cloud_graph_url.rstrip('/')}/{settings.cloud_graph_version}"
        self.connection_key = connection_key
        self._handler = handler
        self._state = EngineState.STOPPED
        self._graph: GraphClient | None = None
        self._phone_number_id = ""
        self._task: asyncio.Task[None] | None = None

    @property
    def state(self) -> EngineState:
        return self._state

    # ---- life ----------------------------------------------------------------------------------------------

    async def start(self, target: SessionTarget) -> None:
        await self.stop()
        phone_number_id, token = target.extra.get(PHONE_NUMBER_ID), target.extra.get(ACCESS_TOKEN)
        if not phone_number_id or not token:
            await self._set_state(
                EngineState.FAILED, "Enter the phone number id and access token first.", retryable=False
            )
            return
        self._phone_number_id = phone_number_id
        self._graph = GraphClient(self.base_url, token)
        self._task = asyncio.create_task(self._check(), name=f"cloud-engine:{self.connection_key}")

    async def _check(self) -> None:
        """Ask Meta about the number: proves the id and token, and tells its name and limits."""
        assert self._graph is not None
        await self._set_state(EngineState.STARTING)
        try:
            number = await self._graph.phone_number(self._phone_number_id)
        except GraphError as exc:
            await self._set_state(EngineState.FAILED, exc.readable, retryable=not _refuses_credentials(exc))
            return
        profile = AccountProfile(
            display_name=number.verified_name,
            quality_rating=number.quality_rating,
            messaging_limit=number.messaging_limit,
        )
        phone = phone_or_none(number.display_phone_number)  # Meta writes it for people: "+55 11 98888-7777"
        await self._set_state(EngineState.CONNECTED, phone=phone, profile=profile)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        graph, self._graph = self._graph, None
        if graph is not None:
            await graph.aclose()
        self._state = EngineState.STOPPED

    async def logout(self) -> None:
        """Nothing is linked to unlink: the credentials stay with the connection until a person changes them."""
        await self.stop()

    async def _set_state(
        self,
        state: EngineState,
        reason: str | None = None,
        *,
        phone: str | None = None,
        profile: AccountProfile | None = None,
        retryable: bool = True,
    ) -> None:
        self._state = state
        event = StateChanged(state=state, reason=reason, phone=phone, profile=profile, retryable=retryable)
        try:
            await self._handler(event)
        except Exception:
            log.exception("cloud %s: the event handler failed on %s", self.connection_key, state)

    # ---- commands ------------------------------------------------------------------------------------------

    def new_message_id(self) -> str:
        # Meta chooses the message's real id; ours travels as `biz_opaque_callback_data` and comes back on statuses.
        return OWN_ID_PREFIX + secrets.token_hex(12)

    async def send(self, chat: Chat, message: OutgoingMessage) -> SendResult:
        graph = self._connected()
        if chat.is_group:
            raise EngineError("Groups cannot be written to through the Cloud API channel.", retryable=False)
        payload: dict[str, Any] = {"recipient_type": "individual", "to": chat.address}
        payload["biz_opaque_callback_data"] = message.message_id
        if message.quoted is not None:
            payload["context"] = {"message_id": message.quoted.external_id}
        if message.template is not None:
            payload.update(type="template", template=template_payload(message.template))
        elif message.media is not None:
            media_id = await self._call(
                graph.upload_media(
                    self._phone_number_id, message.media.data, message.media.mime, message.media.file_name
                )
            )
            payload.update(media_payload(message.media, media_id, message.text))
        else:
            payload.update(type="text", text={"body": message.text, "preview_url": False})
        return await self._post(graph, payload)

    async def react(
        self, chat: Chat, target_id: str, emoji: str, *, target_from_me: bool, target_sender: str | None = None
    ) -> SendResult:
        # The Cloud API has no groups: a reaction never needs its target's author.
        graph = self._connected()
        payload = {"recipient_type": "individual", "to": chat.address, "type": "reaction"}
        return await self._post(graph, {**payload, "reaction": {"message_id": target_id, "emoji": emoji}})

    async def edit(self, chat: Chat, target_id: str, text: str) -> SendResult:
        raise EngineError("The Cloud API cannot edit a message already sent.", retryable=False)

    async def revoke(self, chat: Chat, target_id: str) -> SendResult:
        raise EngineError("The Cloud API cannot delete a message for everyone.", retryable=False)

    async def profile_picture(self, chat: Chat) -> bytes | None:
        return None  # the Cloud API does not show customers' profile pictures to businesses

    async def mark_read(self, chat: Chat, external_ids: list[str], *, sender: str | None = None) -> None:
        if external_ids:
            # Marking one message read marks the earlier ones of the chat read too.
            await self._call(self._connected().mark_read(self._phone_number_id, external_ids[-1]))

    async def download(self, ref: str) -> bytes:
        # Meta's files come with the webhook that announces them (`cloud.inbound`): a Cloud API message is stored
        # with its file or its failure, never with a reference to fetch later, so this is never asked.
        raise EngineError("the Cloud API has no file references to download later", retryable=False)

    async def set_typing(self, chat: Chat, typing: bool) -> None:
        """The Cloud API shows typing only together with a read mark; nothing to do on its own."""

    async def _post(self, graph: GraphClient, payload: dict[str, Any]) -> SendResult:
        external_id = await self._call(graph.send_message(self._phone_number_id, payload))
        return SendResult(external_id=external_id, timestamp=datetime.now(UTC))

    async def _call(self, call: Awaitable[T]) -> T:
        try:
            return await call
        except GraphError as exc:
            raise await self._engine_error(exc) from exc

    async def _engine_error(self, exc: GraphError) -> EngineError:
        if exc.code in _THROUGHPUT:
            return Throttled(exc.readable, retry_after=_THROUGHPUT[exc.code], whole_connection=True)
        if exc.code == _PAIR_RATE_LIMIT:
            return Throttled(exc.readable, retry_after=_PAIR_RATE_SECONDS, whole_connection=False)
        if _refuses_credentials(exc):
            # Every send would fail alike: the connection shows why, and messages wait for new credentials.
            await self._set_state(EngineState.FAILED, exc.readable, retryable=False)
            return NotConnected(exc.readable)
        retryable = exc.status == 0 or exc.status >= 500 or exc.code in _TRANSIENT
        return EngineError(exc.readable, retryable=retryable)

    def _connected(self) -> GraphClient:
        if self._state is not EngineState.CONNECTED or self._graph is None:
            raise NotConnected()
        return self._graph


def _refuses_credentials(exc: GraphError) -> bool:
    return exc.code == _TOKEN_REFUSED or exc.status in _CREDENTIALS_REFUSED_STATUS


# ---- Graph API payloads (pure) ------------------------------------------------------------------------------


def media_payload(media: OutgoingMedia, media_id: str, caption: str) -> dict[str, Any]:
    kind = "audio" if media.kind is MediaKind.VOICE else media.kind.value
    body: dict[str, Any] = {"id": media_id}
    if caption and kind not in _NO_CAPTION:
        body["caption"] = caption
    if kind == "document" and media.file_name:
        body["filename"] = media.file_name
    return {"type": kind, kind: body}


def template_payload(template: OutgoingTemplate) -> dict[str, Any]:
    components = [
        {"type": part, "parameters": [_parameter(parameter) for parameter in parameters]}
        for part, parameters in (("header", template.header), ("body", template.body))
        if parameters
    ]
    payload: dict[str, Any] = {"name": template.name, "language": {"code": template.language}}
    if components:
        payload["components"] = components
    return payload


def _parameter(parameter: TemplateParameter) -> dict[str, str]:
    value = {"type": "text", "text": parameter.text}
    if parameter.name:
        value["parameter_name"] = parameter.name
    return value
