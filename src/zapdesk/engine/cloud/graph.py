"""A thin client of Meta's Graph API for WhatsApp: the few calls zapdesk makes, and Meta's errors made readable.

Why not `pywa`: we tried it (4.5). Its client can only be pointed at a fake Graph API by overwriting the base URL
of the `httpx` client it configures, after construction; and its webhook handler marks an update as processed
and answers 200 before (and whatever) its handlers did, so an update that failed to store would be skipped as a
duplicate when Meta delivered it again. zapdesk must answer 2xx only after its commit, so it parses and verifies
webhooks itself (`engine.cloud.webhook`) and needs no more of the Graph API than these calls.

Why aiohttp and not httpx: a number sends up to 32 messages at once, 80 a second. httpx's connection pool spent
a third of the worker's CPU on each send there (it scans every pooled connection per request, and its async
library check retries a failed import each time); aiohttp's costs a fraction of that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
from pydantic import BaseModel, ConfigDict, ValidationError

M = TypeVar("M", bound=BaseModel)

# Meta's own limit for documents; larger answers are cut off rather than held in memory.
MAX_MEDIA_BYTES = 100 * 1024 * 1024
_TEMPLATE_PAGES = 20
# Sends in flight at once per token (the outbox's lanes) and a few calls besides.
_CONNECTIONS = 64


class GraphError(Exception):
    """The Graph API refused a call (or could not be reached: `status` 0)."""

    def __init__(
        self, status: int, message: str, *, code: int | None = None, title: str | None = None, details: str = ""
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.title, self.details = status, message, code, title, details

    @property
    def readable(self) -> str:
        """Meta's words, with the code people search for: "Message failed to send … (131026)"."""
        text = self.title or self.message
        if self.details and self.details not in text:
            text = f"{text}: {self.details}"
        return f"{text} ({self.code})" if self.code is not None else text


class _ErrorData(BaseModel):
    details: str = ""


class _Error(BaseModel):
    message: str = "The Graph API refused the request."
    code: int | None = None
    error_user_title: str | None = None
    error_data: _ErrorData | None = None


class _ErrorBody(BaseModel):
    error: _Error


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    display_phone_number: str
    verified_name: str | None
    quality_rating: str | None
    messaging_limit: str | None


@dataclass(frozen=True, slots=True)
class MediaInfo:
    url: str
    mime_type: str
    file_size: int | None


class _PhoneNumberBody(BaseModel):
    model_config = ConfigDict(extra="ignore")
    display_phone_number: str
    verified_name: str | None = None
    quality_rating: str | None = None
    messaging_limit_tier: str | None = None


class _SentMessage(BaseModel):
    id: str


class _SendBody(BaseModel):
    messages: list[_SentMessage]


class _IdBody(BaseModel):
    id: str


class _MediaBody(BaseModel):
    url: str
    mime_type: str = "application/octet-stream"
    file_size: int | None = None


class _Paging(BaseModel):
    next: str | None = None


class _TemplatesBody(BaseModel):
    data: list[dict[str, Any]]
    paging: _Paging | None = None


class GraphClient:
    """Calls for one access token; `base_url` is Meta's (or the simulator's fake) Graph API with its version."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 20.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._http: aiohttp.ClientSession | None = None

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.close()

    def _session(self) -> aiohttp.ClientSession:
        # Made on first use, inside the event loop that will use it.
        if self._http is None or self._http.closed:
            connector = aiohttp.TCPConnector(limit=_CONNECTIONS)
            self._http = aiohttp.ClientSession(headers=self._headers, timeout=self._timeout, connector=connector)
        return self._http

    def _url(self, url: str) -> str:
        """Meta's paging and media URLs are absolute; the calls' own are relative to the API's version."""
        return url if url.startswith(("http://", "https://")) else f"{self.base_url}{url}"

    async def phone_number(self, phone_number_id: str) -> PhoneNumber:
        fields = "display_phone_number,verified_name,quality_rating,messaging_limit_tier"
        body = _parse(_PhoneNumberBody, await self._call("GET", f"/{phone_number_id}", params={"fields": fields}))
        return PhoneNumber(
            display_phone_number=body.display_phone_number,
            verified_name=body.verified_name,
            quality_rating=body.quality_rating,
            messaging_limit=body.messaging_limit_tier,
        )

    async def send_message(self, phone_number_id: str, payload: dict[str, Any]) -> str:
        """POST /{phone-number-id}/messages; Meta's id of the message (a `wamid.…`)."""
        body = {"messaging_product": "whatsapp", **payload}
        return _parse(_SendBody, await self._call("POST", f"/{phone_number_id}/messages", json=body)).messages[0].id

    async def mark_read(self, phone_number_id: str, message_id: str) -> None:
        body = {"messaging_product": "whatsapp", "status": "read", "message_id": message_id}
        await self._call("POST", f"/{phone_number_id}/messages", json=body)

    async def upload_media(self, phone_number_id: str, data: bytes, mime: str, file_name: str | None) -> str:
        form = aiohttp.FormData()
        form.add_field("messaging_product", "whatsapp")
        form.add_field("type", mime)
        form.add_field("file", data, filename=file_name or "file", content_type=mime)
        return _parse(_IdBody, await self._call("POST", f"/{phone_number_id}/media", data=form)).id

    async def media_info(self, media_id: str) -> MediaInfo:
        body = _parse(_MediaBody, await self._call("GET", f"/{media_id}"))
        return MediaInfo(url=body.url, mime_type=body.mime_type, file_size=body.file_size)

    async def download(self, url: str) -> bytes:
        """A media URL's bytes; Meta's media URLs also need the token."""
        try:
            async with self._session().get(self._url(url)) as response:
                if response.status >= 400:
                    raise _error_of(response.status, await response.read())
                chunks, size = [], 0
                async for chunk in response.content.iter_chunked(65536):
                    size += len(chunk)
                    if size > MAX_MEDIA_BYTES:
                        raise GraphError(413, f"The file is larger than {MAX_MEDIA_BYTES // 1_048_576} MB.")
                    chunks.append(chunk)
                return b"".join(chunks)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise _unreachable(exc) from exc

    async def templates(self, business_account_id: str) -> list[dict[str, Any]]:
        """Every message template of the WhatsApp Business Account, following Meta's pages."""
        params: dict[str, str] | None = {"limit": "100"}
        url = f"/{business_account_id}/message_templates"
        found: list[dict[str, Any]] = []
        for _ in range(_TEMPLATE_PAGES):
            page = _parse(_TemplatesBody, await self._call("GET", url, params=params))
            found.extend(page.data)
            if page.paging is None or not page.paging.next:
                break
            url, params = page.paging.next, None
        return found

    async def _call(self, method: str, url: str, **kwargs: Any) -> bytes:
        try:
            async with self._session().request(method, self._url(url), **kwargs) as response:
                content = await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise _unreachable(exc) from exc
        if response.status >= 400:
            raise _error_of(response.status, content)
        return content


def _unreachable(exc: BaseException) -> GraphError:
    return GraphError(0, f"The Graph API is unreachable: {str(exc) or type(exc).__name__}")


def _error_of(status: int, content: bytes) -> GraphError:
    try:
        error = _ErrorBody.model_validate_json(content).error
    except ValidationError:
        return GraphError(status, f"The Graph API answered HTTP {status}.")
    details = error.error_data.details if error.error_data else ""
    return GraphError(status, error.message, code=error.code, title=error.error_user_title, details=details)


def _parse(model: type[M], content: bytes) -> M:
    try:
        return model.model_validate_json(content)
    except ValidationError as exc:
        raise GraphError(502, f"The Graph API answered something we cannot read: {exc.errors()[0]['msg']}") from exc
