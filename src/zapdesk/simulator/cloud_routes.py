"""HTTP endpoints of the fake Cloud API: Meta's Graph API (`/graph/{version}/…`) as zapdesk calls it, the media
URLs it hands out, and a control API for customers writing to Cloud numbers (`/api/cloud/…`)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Header, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from zapdesk.errors import ERROR_RESPONSES, Invalid
from zapdesk.kit.phones import phone_or_none
from zapdesk.simulator.cloud import GRAPH_PREFIX, MEDIA_PREFIX, CloudNumber, FakeCloud, Faults, GraphProblem


async def _cloud(request: Request) -> FakeCloud:
    # async: FastAPI runs a plain function dependency on a thread, a hop per request that was a tenth of the
    # fake's CPU with replies and status webhooks streaming through it.
    cloud: FakeCloud = request.app.state.cloud
    return cloud


CloudDep = Annotated[FakeCloud, Depends(_cloud)]
Authorization = Annotated[str | None, Header()]

graph = APIRouter(prefix=GRAPH_PREFIX + "/{version}", tags=["fake Graph API"])
media = APIRouter(prefix=MEDIA_PREFIX, tags=["fake Graph API"])
control = APIRouter(prefix="/api/cloud", tags=["Cloud API control"], responses=ERROR_RESPONSES)


def _token(authorization: str | None) -> str | None:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def graph_problem_response(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, GraphProblem)
    return JSONResponse(exc.body(), status_code=exc.status_code)


# ---- the Graph API ----------------------------------------------------------------------------------------------


@graph.get("/{object_id}/message_templates", summary="A WhatsApp Business Account's templates")
async def templates(object_id: str, cloud: CloudDep, authorization: Authorization = None) -> dict[str, Any]:
    return cloud.templates(object_id, _token(authorization))


@graph.get("/{object_id}", summary="A phone number's profile, or a media's download URL")
async def graph_object(
    object_id: str, request: Request, cloud: CloudDep, authorization: Authorization = None
) -> dict[str, Any]:
    # url_for, not base_url: mounted at /simulator, the media route's address includes the mount.
    media_url = str(request.url_for("download_media", media_id="MEDIA_ID"))
    return cloud.graph_object(object_id, _token(authorization), media_url)


@graph.post("/{phone_number_id}/messages", summary="Send a message, or mark one read")
async def messages(
    phone_number_id: str, request: Request, cloud: CloudDep, authorization: Authorization = None
) -> dict[str, Any]:
    try:
        payload = await request.json()
    except ValueError as exc:
        raise GraphProblem(400, "(#100) The request body is not JSON", code=100) from exc
    if not isinstance(payload, dict):
        raise GraphProblem(400, "(#100) Invalid parameter", code=100)
    return cloud.post_message(phone_number_id, _token(authorization), payload)


@graph.post("/{phone_number_id}/media", summary="Upload media to send")
async def upload(
    phone_number_id: str,
    cloud: CloudDep,
    file: Annotated[UploadFile, File()],
    messaging_product: Annotated[str, Form()] = "whatsapp",
    type: Annotated[str | None, Form()] = None,
    authorization: Authorization = None,
) -> dict[str, str]:
    data = await file.read()
    mime = type or file.content_type or "application/octet-stream"
    return {"id": cloud.upload(phone_number_id, _token(authorization), mime, file.filename, data)}


@media.get("/{media_id}", summary="Download media (with the access token, as Meta's media URLs require)")
async def download_media(media_id: str, cloud: CloudDep, authorization: Authorization = None) -> Response:
    data, mime = cloud.media_bytes(media_id, _token(authorization))
    return Response(data, media_type=mime)


# ---- control ---------------------------------------------------------------------------------------------------


class NumberIn(BaseModel):
    phone: str = Field(description="The business number, international digits.")
    name: str = Field(default="zapdesk demo", max_length=120, description="Its verified business name.")
    webhook_url: str | None = Field(default=None, description="Where Meta posts notifications (no check).")
    # Fixed ids and secrets, to replay recorded notifications; new ones when left out.
    phone_number_id: str | None = None
    business_account_id: str | None = None
    access_token: str | None = None
    app_secret: str | None = None
    verify_token: str | None = None


class NumberOut(BaseModel):
    phone_number_id: str
    business_account_id: str
    phone: str
    name: str
    access_token: str
    app_secret: str
    verify_token: str
    webhook_url: str | None

    @classmethod
    def of(cls, number: CloudNumber) -> NumberOut:
        return cls.model_validate(number, from_attributes=True)


class SubscribeIn(BaseModel):
    url: str
    verify_token: str | None = None


class FaultsIn(BaseModel):
    throttle_next: int = Field(default=0, ge=0, description="Refuse this many next sends with a throughput error.")
    throttle_code: int = Field(default=130429, description="130429 (throughput) or 131056 (pair rate limit).")
    undeliverable: list[str] = Field(default_factory=list, description="Customers messages never reach (131026).")


class MediaIn(BaseModel):
    mime: str
    data_base64: str
    file_name: str | None = None
    voice: bool = False
    id: str | None = Field(default=None, description="A fixed media id (to replay recorded notifications).")

    def decode(self) -> bytes:
        try:
            return base64.b64decode(self.data_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise Invalid("media.data_base64 is not valid base64.") from exc


class CustomerMessageIn(BaseModel):
    """A customer writes to a Cloud number. `message` is the rest of Meta's message object (`type`, `text`, …);
    or give `text`, `media` or `reaction_to` for the common cases."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str = Field(description="The Cloud number's phone or phone number id.")
    name: str | None = None
    text: str | None = None
    media: MediaIn | None = None
    kind: str = Field(default="image", description="image, video, audio, document or sticker, with `media`.")
    caption: str = ""
    reply_to: str | None = Field(default=None, description="The id of the message this one answers.")
    reaction_to: str | None = None
    emoji: str = "👍"
    message: dict[str, Any] | None = None


class PostedOut(BaseModel):
    id: str


class ReadIn(BaseModel):
    ids: list[str]


class RawDeliveryIn(BaseModel):
    to: str = Field(description="The Cloud number whose callback URL gets it, signed with its app secret.")
    body: dict[str, Any] = Field(description="The notification, exactly as Meta would post it.")


class DeliveryOut(BaseModel):
    attempts: list[int]


@control.post("/numbers", response_model=NumberOut, summary="A business number on the Cloud API, with credentials")
async def create_number(data: NumberIn, cloud: CloudDep) -> NumberOut:
    given = data.model_dump(exclude={"phone", "name", "webhook_url"})
    return NumberOut.of(cloud.create_number(data.phone, data.name, data.webhook_url, **given))


@control.get("/numbers/{number}", response_model=NumberOut)
async def get_number(number: str, cloud: CloudDep) -> NumberOut:
    return NumberOut.of(cloud.number_for(number))


@control.put("/numbers/{number}/webhook", response_model=NumberOut, summary="Set the callback URL (Meta checks it)")
async def subscribe(number: str, data: SubscribeIn, cloud: CloudDep) -> NumberOut:
    found = cloud.number_for(number)
    await cloud.subscribe(found.phone_number_id, data.url, data.verify_token)
    return NumberOut.of(found)


@control.post("/numbers/{number}/templates", summary="Add an approved message template")
async def add_template(number: str, template: dict[str, Any], cloud: CloudDep) -> dict[str, Any]:
    if not template.get("name") or not template.get("language"):
        raise Invalid("A template needs a name and a language.")
    return cloud.add_template(cloud.number_for(number).phone_number_id, template)


@control.put("/numbers/{number}/faults", status_code=204, summary="Make the fake misbehave")
async def set_faults(number: str, data: FaultsIn, cloud: CloudDep) -> Response:
    undeliverable = {phone_or_none(phone) or phone for phone in data.undeliverable}
    faults = Faults(throttle_next=data.throttle_next, throttle_code=data.throttle_code, undeliverable=undeliverable)
    cloud.set_faults(cloud.number_for(number).phone_number_id, faults)
    return Response(status_code=204)


@control.get("/numbers/{number}/requests", summary="What the business posted to /messages, in order")
async def requests(number: str, cloud: CloudDep) -> list[dict[str, Any]]:
    return cloud.requests.get(cloud.number_for(number).phone_number_id, [])


@control.get("/numbers/{number}/deliveries", response_model=list[DeliveryOut], summary="Webhook attempts per delivery")
async def deliveries(number: str, cloud: CloudDep) -> list[DeliveryOut]:
    number_id = cloud.number_for(number).phone_number_id
    return [DeliveryOut(attempts=list(d.attempts)) for d in cloud.deliveries if d.number_id == number_id]


@control.post("/messages", response_model=PostedOut, summary="A customer writes to a Cloud number")
async def customer_writes(data: CustomerMessageIn, cloud: CloudDep) -> PostedOut:
    number = cloud.number_for(data.to)
    customer = phone_or_none(data.from_)
    if customer is None:
        raise Invalid("from must be a phone number in international format.")
    message = data.message or _message_of(cloud, number, data)
    if data.reply_to and "context" not in message:
        message["context"] = {"from": number.phone, "id": data.reply_to}
    return PostedOut(id=cloud.customer_message(number, customer, data.name, message))


def _message_of(cloud: FakeCloud, number: CloudNumber, data: CustomerMessageIn) -> dict[str, Any]:
    if data.reaction_to:
        return {"type": "reaction", "reaction": {"message_id": data.reaction_to, "emoji": data.emoji}}
    if data.media is not None:
        media_id = cloud.customer_media(number, data.media.mime, data.media.file_name, data.media.decode())
        body: dict[str, Any] = {"id": media_id, "mime_type": data.media.mime, "sha256": ""}
        if data.caption and data.kind not in ("audio", "sticker"):
            body["caption"] = data.caption
        if data.kind == "document" and data.media.file_name:
            body["filename"] = data.media.file_name
        if data.kind == "audio":
            body["voice"] = data.media.voice
        return {"type": data.kind, data.kind: body}
    return {"type": "text", "text": {"body": data.text or ""}}


@control.post("/numbers/{number}/media", response_model=PostedOut, summary="Media a customer sent, by its id")
async def add_media(number: str, data: MediaIn, cloud: CloudDep) -> PostedOut:
    found = cloud.number_for(number)
    return PostedOut(id=cloud.customer_media(found, data.mime, data.file_name, data.decode(), data.id))


@control.post("/phones/{phone}/read", response_model=list[str], summary="The customer reads messages")
async def customer_reads(phone: str, data: ReadIn, cloud: CloudDep) -> list[str]:
    return cloud.customer_reads(phone_or_none(phone) or phone, data.ids)


@control.get("/phones/{phone}/messages", summary="What reached a customer from Cloud numbers")
async def customer_messages(phone: str, cloud: CloudDep) -> list[dict[str, Any]]:
    return cloud.received_by(phone)


@control.post("/deliveries", response_model=DeliveryOut, summary="Deliver a notification as given (fixtures)")
async def deliver(data: RawDeliveryIn, cloud: CloudDep) -> DeliveryOut:
    import json

    delivery = cloud.deliver_raw(cloud.number_for(data.to), json.dumps(data.body).encode())
    return DeliveryOut(attempts=delivery.attempts)
