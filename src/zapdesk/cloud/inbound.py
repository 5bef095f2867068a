"""Meta's webhook deliveries, received by an API process: verified, read, stored, and only then acknowledged.

A delivery whose signature is missing or wrong stores nothing. The events of a verified one go to `ingest`
through a group commit per connection (deliveries arriving together share a transaction), and the answer waits
for that commit: if it fails (the database is down) Meta gets a non-2xx answer and delivers again later, and a
second delivery of the same message changes nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from zapdesk.cloud.models import CloudAccount
from zapdesk.cloud.service import graph_base_url, open_secrets
from zapdesk.context import AppContext
from zapdesk.db.uow import unit_of_work
from zapdesk.engine.cloud.graph import GraphClient, GraphError
from zapdesk.engine.cloud.webhook import (
    InboundEvent,
    NumberNews,
    UnreadableNotification,
    parse_notification,
    with_media,
)
from zapdesk.errors import Forbidden, Invalid, NotFound, ServiceUnavailable, Unauthorized
from zapdesk.ingest.service import ingest_events
from zapdesk.kit.group_commit import GroupCommit
from zapdesk.kit.hub_signatures import signature_matches
from zapdesk.kit.secrets import SecretBox
from zapdesk.media.store import MediaStore

log = logging.getLogger(__name__)

# A wrong signature may mean the app secret just changed: the accounts are read again, at most this often.
_RELOAD_SECONDS = 1.0
# What a database that is down (or restarting) raises; the delivery is then answered 503 and comes again.
_DATABASE_TROUBLE = (SQLAlchemyError, OSError)
# And in any case this often, so a changed verify or access token is seen without a restart.
_FRESH_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class WebhookAccount:
    connection_id: int
    phone_number_id: str
    app_secret: str
    verify_token: str
    access_token: str


class CloudInbound:
    """One per API process: the accounts (cached), and a group commit per connection."""

    def __init__(self, context: AppContext) -> None:
        self.context = context
        self.media_store = MediaStore(context.settings.media_dir)
        self._accounts: dict[int, WebhookAccount] = {}
        self._loaded_at = float("-inf")
        self._commits: dict[int, GroupCommit[InboundEvent]] = {}

    # ---- Meta's check of the callback URL -----------------------------------------------------------------

    async def challenge(self, connection_id: int, mode: str | None, token: str | None, challenge: str | None) -> str:
        account = await self._account(connection_id)
        if mode == "subscribe" and token:
            if token == account.verify_token:
                return challenge or ""
            if await self._reload() and token == (await self._account(connection_id)).verify_token:
                return challenge or ""  # the verify token was changed just now
        log.warning("cloud webhook %s: verification refused (wrong mode or verify token)", connection_id)
        raise Forbidden("The verify token does not match this connection's.", code="verify_token_invalid")

    # ---- deliveries ---------------------------------------------------------------------------------------

    async def receive(self, connection_id: int, body: bytes, signature: str | None) -> int:
        """Verify, read and store one delivery; returns how many events it held. Raises (401/403/404/422/503)
        before storing anything it cannot vouch for."""
        account = await self._verified(connection_id, body, signature)
        try:
            news = parse_notification(body)
        except UnreadableNotification as exc:
            raise Invalid(str(exc), code="webhook_unreadable") from exc
        stored = 0
        for number in news:
            owner = self._owner(account, number)
            for error in number.errors:
                log.warning("cloud webhook %s: Meta reports an error: %s", connection_id, error)
            if owner is None or not number.events:
                continue
            events = await self._with_media(owner, number)
            await self._store(owner.connection_id, events)
            stored += len(events)
        return stored

    async def _verified(self, connection_id: int, body: bytes, signature: str | None) -> WebhookAccount:
        account = await self._account(connection_id)
        if not signature:
            log.warning("cloud webhook %s: delivery without %s refused", connection_id, "X-Hub-Signature-256")
            raise Unauthorized("The delivery is not signed (X-Hub-Signature-256).", code="signature_missing")
        if account.app_secret and signature_matches(account.app_secret, body, signature):
            return account
        if await self._reload():
            account = await self._account(connection_id)
            if account.app_secret and signature_matches(account.app_secret, body, signature):
                return account
        log.warning("cloud webhook %s: delivery with a wrong signature refused", connection_id)
        raise Forbidden("The signature does not match this connection's app secret.", code="signature_invalid")

    def _owner(self, verified: WebhookAccount, number: NumberNews) -> WebhookAccount | None:
        """The connection a number's news belongs to: the URL's own, or another number of the same Meta app (one
        callback URL may serve them all); news for numbers we do not hold is acknowledged and dropped."""
        if number.phone_number_id == verified.phone_number_id:
            return verified
        other = next((a for a in self._accounts.values() if a.phone_number_id == number.phone_number_id), None)
        if other is None or other.app_secret != verified.app_secret:
            log.warning(
                "cloud webhook %s: news for phone number id %s, which no connection of this app holds, ignored",
                verified.connection_id,
                number.phone_number_id,
            )
            return None
        return other

    async def _with_media(self, account: WebhookAccount, number: NumberNews) -> list[InboundEvent]:
        if not number.media_ids:
            return number.events
        graph = GraphClient(graph_base_url(self.context.settings), account.access_token)

        async def download(media_id: str) -> tuple[bytes | None, str | None]:
            try:
                info = await graph.media_info(media_id)
                return await graph.download(info.url), None
            except GraphError as exc:
                log.warning("cloud media %s could not be downloaded: %s", media_id, exc.readable)
                return None, f"The file could not be downloaded from Meta: {exc.readable}"

        try:
            return await with_media(number, download)
        finally:
            await graph.aclose()

    async def _store(self, connection_id: int, events: Sequence[InboundEvent]) -> None:
        commit = self._commits.get(connection_id)
        if commit is None:
            commit = self._commits[connection_id] = GroupCommit(lambda batch: self._ingest(connection_id, batch))
        try:
            await commit.submit(*events)
        except _DATABASE_TROUBLE as exc:
            log.warning("cloud webhook %s: not stored (%s); Meta will deliver it again", connection_id, exc)
            raise ServiceUnavailable("Not stored now; deliver it again later.", code="not_stored") from exc

    async def _ingest(self, connection_id: int, events: Sequence[InboundEvent]) -> None:
        async with unit_of_work(self.context.sessionmaker, self.context.publish) as session:
            await ingest_events(session, connection_id=connection_id, events=events, media_store=self.media_store)

    # ---- the accounts, cached ---------------------------------------------------------------------------------

    async def _account(self, connection_id: int) -> WebhookAccount:
        account = self._accounts.get(connection_id)
        stale = time.monotonic() - self._loaded_at > _FRESH_SECONDS
        if (account is None or stale) and await self._reload():
            account = self._accounts.get(connection_id)
        if account is None:
            raise NotFound("No Cloud API connection has this id.", code="connection_not_found")
        return account

    async def _reload(self) -> bool:
        """Read the accounts again unless that was done just now; True when it was done."""
        if time.monotonic() - self._loaded_at < _RELOAD_SECONDS:
            return False
        box = SecretBox(self.context.settings)
        try:
            async with unit_of_work(self.context.sessionmaker) as session:
                rows = list((await session.execute(select(CloudAccount))).scalars())
        except _DATABASE_TROUBLE as exc:
            raise ServiceUnavailable("The database is unavailable; deliver it again later.", code="not_stored") from exc
        accounts = {}
        for row in rows:
            secrets = open_secrets(box, row)
            accounts[row.connection_id] = WebhookAccount(
                connection_id=row.connection_id,
                phone_number_id=row.phone_number_id,
                app_secret=secrets.app_secret,
                verify_token=secrets.verify_token,
                access_token=secrets.access_token,
            )
        self._accounts, self._loaded_at = accounts, time.monotonic()
        return True
