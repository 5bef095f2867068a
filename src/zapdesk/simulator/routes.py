"""HTTP and WebSocket endpoints of the simulator: the control API people and tests use, and the device link."""

from __future__ import annotations

import base64
import binascii
from functools import cache
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Header, Query, Request, Response, UploadFile, WebSocket
from fastapi.responses import HTMLResponse

from zapdesk.errors import ERROR_RESPONSES, Invalid
from zapdesk.simulator.network import SimulatorNetwork
from zapdesk.simulator.protocol import PresenceRequest, ReadRequest, SendAccepted, SendRequest, UploadResult
from zapdesk.simulator.schemas import (
    CustomerMessageIn,
    DropIn,
    Linked,
    NetworkStatus,
    PairIn,
    PhoneMessages,
    PictureIn,
    PostedMessage,
    ReadIn,
    ReadOut,
    RegistrationIn,
    ScanIn,
    SessionAction,
)
from zapdesk.simulator.store import SessionRow

PAGE = Path(__file__).parent / "page" / "index.html"


def _network(request: Request) -> SimulatorNetwork:
    network: SimulatorNetwork = request.app.state.network
    network.ensure_started()
    return network


NetworkDep = Annotated[SimulatorNetwork, Depends(_network)]
AuthorizationHeader = Annotated[str | None, Header(description="`Bearer <session>` of the linked device.")]


def _bearer(authorization: str | None) -> str | None:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def _device(network: NetworkDep, authorization: AuthorizationHeader = None) -> SessionRow:
    return network.device_session(_bearer(authorization), live=False)


def _connected_device(network: NetworkDep, authorization: AuthorizationHeader = None) -> SessionRow:
    return network.device_session(_bearer(authorization), live=True)


DeviceDep = Annotated[SessionRow, Depends(_device)]
ConnectedDeviceDep = Annotated[SessionRow, Depends(_connected_device)]

page = APIRouter()
control = APIRouter(prefix="/api", tags=["control"], responses=ERROR_RESPONSES)
device = APIRouter(prefix="/api/link", tags=["device link"], responses=ERROR_RESPONSES)


@cache
def _page_html() -> str:
    return PAGE.read_text(encoding="utf-8")


@page.get("/", response_class=HTMLResponse, include_in_schema=False)
async def phone_page() -> HTMLResponse:
    return HTMLResponse(_page_html(), headers={"Cache-Control": "no-store"})


# ---- control ---------------------------------------------------------------------------------------------------


@control.get("/sessions", response_model=NetworkStatus, summary="Devices waiting for a scan, and business phones")
async def network_status(network: NetworkDep) -> NetworkStatus:
    return network.status()


@control.post("/scan", response_model=Linked, summary="A business phone scans the QR code a device shows")
async def scan(body: ScanIn, network: NetworkDep) -> Linked:
    return Linked(phone=await network.scan(body.code, body.phone))


@control.post("/pair", response_model=Linked, summary="A business phone types the pairing code a device shows")
async def pair(body: PairIn, network: NetworkDep) -> Linked:
    return Linked(phone=await network.pair(body.pairing_code, body.phone))


@control.post("/messages", response_model=PostedMessage, summary="A phone sends a message through the network")
async def post_message(body: CustomerMessageIn, network: NetworkDep) -> PostedMessage:
    return await network.post_message(body)


@control.get("/phones/{phone}/messages", response_model=PhoneMessages, summary="What a customer phone received")
async def phone_messages(
    phone: str,
    network: NetworkDep,
    business: Annotated[str | None, Query(description="Only the chat with this business number.")] = None,
    include_sent: Annotated[bool, Query(description="Also the messages this phone wrote.")] = False,
) -> PhoneMessages:
    return network.messages_of(phone, business, include_sent)


@control.post("/phones/{phone}/read", response_model=ReadOut, summary="The customer reads messages")
async def read(phone: str, body: ReadIn, network: NetworkDep) -> ReadOut:
    return ReadOut(read=network.read_by_customer(phone, body.ids))


@control.put("/phones/{phone}/picture", status_code=204, summary="Set the profile picture others see")
async def set_picture(phone: str, body: PictureIn, network: NetworkDep) -> Response:
    try:
        data = base64.b64decode(body.data_base64, validate=True)
    except binascii.Error as exc:
        raise Invalid("data_base64 is not base64.", code="invalid_base64") from exc
    network.set_picture(phone, body.mime, data)
    return Response(status_code=204)


@control.delete("/phones/{phone}/picture", status_code=204, summary="Remove the profile picture")
async def remove_picture(phone: str, network: NetworkDep) -> Response:
    network.set_picture(phone, "image/jpeg", None)
    return Response(status_code=204)


@control.put("/phones/{phone}/registration", status_code=204, summary="Whether a number is on WhatsApp at all")
async def registration(phone: str, body: RegistrationIn, network: NetworkDep) -> Response:
    network.set_registered(phone, body.on_whatsapp)
    return Response(status_code=204)


@control.post("/sessions/{phone}/drop", response_model=SessionAction, summary="Cut the device's link for a while")
async def drop(phone: str, network: NetworkDep, body: DropIn | None = None) -> SessionAction:
    return await network.drop(phone, body.offline_seconds if body else 0.0)


@control.post("/sessions/{phone}/logout", response_model=SessionAction, summary="The phone unlinks its device")
async def logout(phone: str, network: NetworkDep) -> SessionAction:
    return await network.logout(phone)


@control.post("/sessions/{phone}/replace", response_model=SessionAction, summary="The session opens elsewhere")
async def replace(phone: str, network: NetworkDep) -> SessionAction:
    return await network.replace(phone)


@control.get("/media/{key}", response_class=Response, summary="Download media that crossed the network")
async def media(key: str, network: NetworkDep) -> Response:
    stored = await network.download(key)
    headers = {"Cache-Control": "private, max-age=3600"}
    if stored.file_name:
        headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(stored.file_name, safe='')}"
    return Response(stored.data, media_type=stored.mime, headers=headers)


# ---- the linked device ----------------------------------------------------------------------------------------


@device.websocket("")
async def link(websocket: WebSocket) -> None:
    network: SimulatorNetwork = websocket.app.state.network
    await network.serve_link(websocket)


@device.post("/media", response_model=UploadResult, summary="Upload media before sending it")
async def upload(
    session: DeviceDep,
    network: NetworkDep,
    file: Annotated[UploadFile, File()],
    mime: Annotated[str | None, Form()] = None,
) -> UploadResult:
    content = await file.read()
    return network.upload(session, mime or file.content_type or "application/octet-stream", file.filename, content)


@device.post("/messages", response_model=SendAccepted, summary="Send a message (idempotent by id)")
async def send(body: SendRequest, session: ConnectedDeviceDep, network: NetworkDep) -> SendAccepted:
    return network.send_from_device(session, body)


@device.get("/picture", response_class=Response, summary="A chat's profile picture (404: none)")
async def device_picture(chat: str, session: DeviceDep, network: NetworkDep) -> Response:
    picture = network.profile_picture(chat)
    return Response(picture.data, media_type=picture.mime)


@device.post("/read", status_code=204, summary="The business read a chat's messages")
async def device_read(body: ReadRequest, session: DeviceDep, network: NetworkDep) -> Response:
    network.read_by_device(session, body)
    return Response(status_code=204)


@device.post("/presence", status_code=204, summary="The business is typing (or stopped)")
async def presence(body: PresenceRequest, session: DeviceDep, network: NetworkDep) -> Response:
    network.presence(session, body)
    return Response(status_code=204)


@device.post("/logout", status_code=204, summary="The device unlinks itself")
async def device_logout(session: DeviceDep, network: NetworkDep) -> Response:
    await network.device_logout(session)
    return Response(status_code=204)
