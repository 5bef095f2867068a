"""A fake of Meta's WhatsApp Business Cloud API: Graph endpoints for messages, media, templates and phone numbers,
customers who write to Cloud numbers, and signed webhook deliveries retried the way Meta retries them.

Shapes follow Meta's public Cloud API reference. Numbers (with their templates) are kept in memory and in a small
JSON file beside the simulator's state, so a restarted demo keeps them; deliveries waiting for a retry and the
request log live in memory only.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import logging
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import aiohttp

from zapdesk.errors import DomainError, Invalid, NotFound
from zapdesk.kit.clock import SYSTEM_CLOCK, Clock
from zapdesk.kit.hub_signatures import SIGNATURE_HEADER, signature_of
from zapdesk.kit.phones import phone_or_none
from zapdesk.kit.retry import Backoff
from zapdesk.simulator.config import SimulatorConfig

log = logging.getLogger(__name__)

WINDOW_SECONDS = 24 * 3600
GRAPH_PREFIX = "/graph"
MEDIA_PREFIX = "/cloud-media"
_ids = itertools.count(int(time.time()) * 1000)


class GraphProblem(DomainError):
    """An error answered in the Graph API's own shape: `{"error": {"message", "type", "code", …}}`."""

    def __init__(
        self, status: int, message: str, *, code: int, kind: str = "OAuthException", details: str = ""
    ) -> None:
        super().__init__(message)
        self.status_code = status
        self.graph_code, self.kind, self.details = code, kind, details

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.detail, "type": self.kind, "code": self.graph_code}
        if self.details:
            error["error_data"] = {"messaging_product": "whatsapp", "details": self.details}
        error["fbtrace_id"] = secrets.token_urlsafe(9)
        return {"error": error}


def new_numeric_id() -> str:
    return str(next(_ids))


def new_wamid() -> str:
    return "wamid." + base64.b64encode(secrets.token_bytes(24)).decode()


@dataclass
class CloudNumber:
    phone_number_id: str
    business_account_id: str
    phone: str  # international digits
    name: str
    access_token: str
    app_secret: str
    verify_token: str
    webhook_url: str | None = None
    quality_rating: str = "GREEN"
    messaging_limit: str = "TIER_1K"
    templates: list[dict[str, Any]] = field(default_factory=list)

    @property
    def display_phone_number(self) -> str:
        return f"+{self.phone}"


@dataclass
class Faults:
    """What a test asks the fake to do wrong: throttle the next sends, lose customers, refuse the token."""

    throttle_next: int = 0
    throttle_code: int = 130429
    undeliverable: set[str] = field(default_factory=set)


@dataclass
class Delivery:
    number_id: str
    body: bytes
    first_at: float
    attempts: list[int] = field(default_factory=list)  # HTTP status of each attempt (0: unreachable)


class FakeCloud:
    def __init__(self, config: SimulatorConfig, media_put: Any, media_get: Any, *, clock: Clock = SYSTEM_CLOCK) -> None:
        self.config = config
        self.clock = clock
        self._put_media, self._get_media = media_put, media_get
        self._path = config.state_file.with_name(config.state_file.stem + "-cloud.json")
        self.numbers: dict[str, CloudNumber] = {}
        self.faults: dict[str, Faults] = {}
        self.requests: dict[str, list[dict[str, Any]]] = {}  # what the business posted, per number
        self.deliveries: list[Delivery] = []
        self._media: dict[str, tuple[str, str]] = {}  # media id -> (number id, media store key)
        self._last_customer_message: dict[tuple[str, str], float] = {}  # (number id, customer) -> time
        self._customer_messages: dict[str, list[dict[str, Any]]] = {}  # customer phone -> what reached them
        self._http: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(config.cloud_concurrent_deliveries)
        self._load()

    # ---- life -------------------------------------------------------------------------------------------------

    def _load(self) -> None:
        with contextlib.suppress(FileNotFoundError, ValueError, TypeError):
            for stored in json.loads(self._path.read_text()):
                number = CloudNumber(**stored)
                self.numbers[number.phone_number_id] = number

    def _save(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._path.write_text(json.dumps([asdict(number) for number in self.numbers.values()]))

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._http is not None:
            await self._http.close()

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ---- numbers (control API) --------------------------------------------------------------------------------

    def create_number(self, phone: str, name: str, webhook_url: str | None, **given: str | None) -> CloudNumber:
        """A new number; `given` may fix its ids and secrets (to replay recorded payloads), else they are new."""
        digits = phone_or_none(phone)
        if digits is None:
            raise Invalid("phone must be a phone number in international format.")
        number = CloudNumber(
            phone_number_id=given.get("phone_number_id") or new_numeric_id(),
            business_account_id=given.get("business_account_id") or new_numeric_id(),
            phone=digits,
            name=name,
            access_token=given.get("access_token") or "EAAG" + secrets.token_urlsafe(32),
            app_secret=given.get("app_secret") or secrets.token_hex(16),
            verify_token=given.get("verify_token") or secrets.token_urlsafe(12),
            webhook_url=webhook_url,
        )
        self.numbers[number.phone_number_id] = number
        self._save()
        return number

    def number(self, phone_number_id: str) -> CloudNumber:
        number = self.numbers.get(phone_number_id)
        if number is None:
            raise NotFound(f"No Cloud number {phone_number_id}.", code="unknown_number")
        return number

    def number_for(self, address: str) -> CloudNumber:
        """A number by its id or its phone."""
        if address in self.numbers:
            return self.numbers[address]
        digits = phone_or_none(address)
        found = next((number for number in self.numbers.values() if number.phone == digits), None)
        if found is None:
            raise NotFound(f"No Cloud number {address}.", code="unknown_number")
        return found

    async def subscribe(self, phone_number_id: str, url: str, verify_token: str | None) -> None:
        """Meta's check of a callback URL: a GET with a challenge the server must echo."""
        number = self.number(phone_number_id)
        token = verify_token or number.verify_token
        challenge = secrets.token_hex(8)
        params = {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": challenge}
        try:
            async with self._client().get(url, params=params) as response:
                status, text = response.status, await response.text()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise Invalid(f"The callback URL could not be reached: {exc}", code="callback_unreachable") from exc
        if status != 200 or text != challenge:
            raise Invalid("The callback URL did not echo the challenge.", code="callback_not_verified")
        number.webhook_url, number.verify_token = url, token
        self._save()

    def add_template(self, phone_number_id: str, template: dict[str, Any]) -> dict[str, Any]:
        number = self.number(phone_number_id)
        stored = {"id": new_numeric_id(), "status": "APPROVED", "category": "UTILITY", **template}
        number.templates = [
            t for t in number.templates if (t["name"], t["language"]) != (stored["name"], stored["language"])
        ]
        number.templates.append(stored)
        self._save()
        return stored

    def set_faults(self, phone_number_id: str, faults: Faults) -> None:
        self.number(phone_number_id)
        self.faults[phone_number_id] = faults

    def received_by(self, phone: str) -> list[dict[str, Any]]:
        return self._customer_messages.get(phone_or_none(phone) or phone, [])

    # ---- customers writing ------------------------------------------------------------------------------------

    def customer_message(self, number: CloudNumber, customer: str, name: str | None, message: dict[str, Any]) -> str:
        """Deliver a message a customer sent to `number` (`message` as Meta shapes it, without from/id/timestamp)."""
        wamid = new_wamid()
        now = time.time()
        self._last_customer_message[(number.phone_number_id, customer)] = now
        body = {"from": customer, "id": wamid, "timestamp": str(int(now)), **message}
        value = {
            "contacts": [{"profile": {"name": name or customer}, "wa_id": customer}],
            "messages": [body],
        }
        self.deliver(number, value)
        return wamid

    def customer_media(
        self, number: CloudNumber, mime: str, file_name: str | None, data: bytes, media_id: str | None = None
    ) -> str:
        media_id = media_id or new_numeric_id()
        self._media[media_id] = (number.phone_number_id, self._put_media(mime, file_name, data))
        return media_id

    def customer_reads(self, customer: str, ids: list[str]) -> list[str]:
        read = []
        for received in self._customer_messages.get(customer, []):
            if received["id"] in ids and received["status"] != "read":
                received["status"] = "read"
                self._status(self.numbers[received["number_id"]], received, "read")
                read.append(received["id"])
        return read

    # ---- webhook deliveries --------------------------------------------------------------------------------------

    def deliver(self, number: CloudNumber, value: dict[str, Any]) -> Delivery:
        """Queue a notification for `number`'s callback URL, signed with its app secret."""
        notification = {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": number.business_account_id,
                    "changes": [
                        {
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {
                                    "display_phone_number": number.phone,
                                    "phone_number_id": number.phone_number_id,
                                },
                                **value,
                            },
                            "field": "messages",
                        }
                    ],
                }
            ],
        }
        return self.deliver_raw(number, json.dumps(notification).encode())

    def deliver_raw(self, number: CloudNumber, body: bytes) -> Delivery:
        delivery = Delivery(number.phone_number_id, body, self.clock.monotonic())
        self.deliveries.append(delivery)
        self._spawn(self._attempt(delivery))
        return delivery

    async def _attempt(self, delivery: Delivery) -> None:
        """Post until a 2xx answer, waiting longer after each failure, for as long as Meta keeps trying."""
        config = self.config
        backoff = Backoff(first=config.cloud_retry_first_seconds, cap=config.cloud_retry_max_seconds)
        while True:
            number = self.numbers.get(delivery.number_id)
            if number is None:
                return
            status = await self._post(number, delivery.body)
            delivery.attempts.append(status)
            if 200 <= status < 300:
                return
            delay = backoff.delay(len(delivery.attempts))
            if self.clock.monotonic() - delivery.first_at + delay > config.cloud_retry_for_seconds:
                log.warning("cloud webhook for %s given up after %d attempts", number.phone, len(delivery.attempts))
                return
            await self.clock.sleep(delay)

    async def _post(self, number: CloudNumber, body: bytes) -> int:
        if not number.webhook_url:
            return 0
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature_of(number.app_secret, body)}
        async with self._slots:
            try:
                async with self._client().post(number.webhook_url, data=body, headers=headers) as response:
                    await response.read()
                    return response.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                log.info("cloud webhook for %s unreachable: %s", number.phone, exc or type(exc).__name__)
                return 0

    def _client(self) -> aiohttp.ClientSession:
        # aiohttp rather than httpx: at the benchmarks' rates the fake posts hundreds of webhooks a second, and
        # httpx's pool cost more CPU than zapdesk's handling of them.
        if self._http is None:
            connector = aiohttp.TCPConnector(limit=64)
            self._http = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30.0))
        return self._http

    # ---- the Graph API ----------------------------------------------------------------------------------------

    def authorize(self, token: str | None, number: CloudNumber) -> None:
        if token != number.access_token:
            raise GraphProblem(401, "Invalid OAuth access token - Cannot parse access token", code=190)

    def graph_object(self, object_id: str, token: str | None, media_url: str) -> dict[str, Any]:
        """`media_url` is the download address with `MEDIA_ID` where the id goes."""
        """GET /{id}: a phone number (its profile) or an uploaded/received media (its download URL)."""
        if object_id in self.numbers:
            number = self.numbers[object_id]
            self.authorize(token, number)
            return {
                "id": number.phone_number_id,
                "display_phone_number": number.display_phone_number,
                "verified_name": number.name,
                "quality_rating": number.quality_rating,
                "messaging_limit_tier": number.messaging_limit,
            }
        if object_id in self._media:
            number_id, key = self._media[object_id]
            self.authorize(token, self.numbers[number_id])
            stored = self._get_media(key)
            return {
                "messaging_product": "whatsapp",
                "url": media_url.replace("MEDIA_ID", object_id),
                "mime_type": stored.mime,
                "sha256": "",
                "file_size": len(stored.data),
                "id": object_id,
            }
        raise GraphProblem(
            400,
            f"Unsupported get request. Object with ID '{object_id}' does not exist.",
            code=100,
            kind="GraphMethodException",
        )

    def media_bytes(self, media_id: str, token: str | None) -> tuple[bytes, str]:
        if media_id not in self._media:
            raise GraphProblem(404, "Media not found.", code=100)
        number_id, key = self._media[media_id]
        self.authorize(token, self.numbers[number_id])
        stored = self._get_media(key)
        return stored.data, stored.mime

    def upload(self, phone_number_id: str, token: str | None, mime: str, file_name: str | None, data: bytes) -> str:
        number = self._graph_number(phone_number_id, token)
        media_id = new_numeric_id()
        self._media[media_id] = (number.phone_number_id, self._put_media(mime, file_name, data))
        return media_id

    def templates(self, business_account_id: str, token: str | None) -> dict[str, Any]:
        number = next((n for n in self.numbers.values() if n.business_account_id == business_account_id), None)
        if number is None:
            raise GraphProblem(400, f"Object with ID '{business_account_id}' does not exist.", code=100)
        self.authorize(token, number)
        return {"data": number.templates, "paging": {"cursors": {"before": "", "after": ""}}}

    def post_message(self, phone_number_id: str, token: str | None, payload: dict[str, Any]) -> dict[str, Any]:
        """POST /{phone-number-id}/messages: a message to a customer, or a read mark."""
        number = self._graph_number(phone_number_id, token)
        self.requests.setdefault(phone_number_id, []).append(payload)
        if payload.get("status") == "read":
            return {"success": True}
        faults = self.faults.get(phone_number_id)
        if faults is not None and faults.throttle_next > 0:
            faults.throttle_next -= 1
            raise GraphProblem(
                400,
                "(#130429) Rate limit hit",
                code=faults.throttle_code,
                details="Cloud API message throughput has been reached.",
            )
        customer = phone_or_none(str(payload.get("to", "")))
        kind = str(payload.get("type", "text"))
        if customer is None:
            raise GraphProblem(400, "(#100) Invalid parameter", code=100, details="to is not a phone number")
        if kind == "template":
            self._check_template(number, payload.get("template") or {})
        wamid = new_wamid()
        received = {
            "id": wamid,
            "number_id": phone_number_id,
            "type": kind,
            "payload": payload,
            "status": "sent",
            "biz_opaque_callback_data": payload.get("biz_opaque_callback_data"),
        }
        self._spawn(self._settle(number, customer, received))
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": payload.get("to"), "wa_id": customer}],
            "messages": [{"id": wamid}],
        }

    def _check_template(self, number: CloudNumber, template: dict[str, Any]) -> None:
        name, language = template.get("name"), (template.get("language") or {}).get("code")
        if not any(t["name"] == name and t["language"] == language for t in number.templates):
            raise GraphProblem(
                404,
                "(#132001) Template name does not exist in the translation",
                code=132001,
                details=f"template name ({name}) does not exist in {language}",
            )

    async def _settle(self, number: CloudNumber, customer: str, received: dict[str, Any]) -> None:
        """What happens to a sent message: sent, then delivered (or failed), as status webhooks."""
        await asyncio.sleep(self.config.receipt_delay_seconds / 2)
        self._status(number, received, "sent")
        faults = self.faults.get(number.phone_number_id)
        last = self._last_customer_message.get((number.phone_number_id, customer), 0.0)
        if received["type"] not in ("template", "reaction") and time.time() - last > WINDOW_SECONDS:
            error = {
                "code": 131047,
                "title": "Re-engagement message",
                "message": "Re-engagement message",
                "error_data": {
                    "details": "Message failed to send because more than 24 hours have passed since "
                    "the customer last replied to this number."
                },
            }
            self._status(number, received, "failed", errors=[error])
            return
        if faults is not None and customer in faults.undeliverable:
            error = {
                "code": 131026,
                "title": "Message undeliverable",
                "message": "Message undeliverable",
                "error_data": {"details": "Message Undeliverable."},
            }
            self._status(number, received, "failed", errors=[error])
            return
        await asyncio.sleep(self.config.receipt_delay_seconds / 2)
        received["status"] = "delivered"
        self._customer_messages.setdefault(customer, []).append(received)
        self._status(number, received, "delivered")

    def _status(
        self, number: CloudNumber, received: dict[str, Any], status: str, *, errors: list[dict[str, Any]] | None = None
    ) -> None:
        customer = str(received["payload"].get("to"))
        entry: dict[str, Any] = {
            "id": received["id"],
            "status": status,
            "timestamp": str(int(time.time())),
            "recipient_id": customer,
        }
        if received.get("biz_opaque_callback_data"):
            entry["biz_opaque_callback_data"] = received["biz_opaque_callback_data"]
        if errors:
            entry["errors"] = errors
        self.deliver(number, {"statuses": [entry]})

    def _graph_number(self, phone_number_id: str, token: str | None) -> CloudNumber:
        number = self.numbers.get(phone_number_id)
        if number is None:
            raise GraphProblem(
                400,
                f"Unsupported post request. Object with ID '{phone_number_id}' does not exist.",
                code=100,
                kind="GraphMethodException",
            )
        self.authorize(token, number)
        return number
