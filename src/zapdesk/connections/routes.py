"""`/api/connections`: list for everyone signed in; creating, linking and removing numbers is for admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Response, status

from zapdesk.api.deps import SessionDep, SettingsDep
from zapdesk.api.inputs import ResourceId
from zapdesk.connections import service
from zapdesk.connections.schemas import (
    ConnectionCreate,
    ConnectionOut,
    ConnectionUpdate,
    ConnectRequest,
    PairingCodeOut,
    QrOut,
)
from zapdesk.kit.paging import DEFAULT_LIMIT, Limit, Page
from zapdesk.users.current import AdminUser, CurrentUser

router = APIRouter(prefix="/connections", tags=["connections"])


@router.get("", response_model=Page[ConnectionOut])
async def list_connections(
    session: SessionDep,
    _user: CurrentUser,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Annotated[str | None, service.BY_NAME.cursor_query()] = None,
) -> Page[ConnectionOut]:
    """By name."""
    connections, next_cursor = await service.list_connections(session, limit=limit, cursor=cursor)
    return Page(items=[service.to_out(connection) for connection in connections], next_cursor=next_cursor)


@router.post("", response_model=ConnectionOut, status_code=status.HTTP_201_CREATED)
async def create_connection(
    data: ConnectionCreate, session: SessionDep, settings: SettingsDep, _admin: AdminUser
) -> ConnectionOut:
    return service.to_out(await service.create_connection(session, settings, data))


@router.get("/{connection_id}", response_model=ConnectionOut)
async def get_connection(connection_id: ResourceId, session: SessionDep, _user: CurrentUser) -> ConnectionOut:
    return service.to_out(await service.get_connection(session, connection_id))


@router.patch("/{connection_id}", response_model=ConnectionOut)
async def update_connection(
    connection_id: ResourceId, data: ConnectionUpdate, session: SessionDep, _admin: AdminUser
) -> ConnectionOut:
    return service.to_out(await service.update_connection(session, connection_id, data))


@router.delete("/{connection_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_connection(connection_id: ResourceId, session: SessionDep, _admin: AdminUser) -> Response:
    await service.delete_connection(session, connection_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{connection_id}/connect", response_model=ConnectionOut, status_code=status.HTTP_202_ACCEPTED)
async def connect(
    connection_id: ResourceId,
    session: SessionDep,
    settings: SettingsDep,
    _admin: AdminUser,
    data: ConnectRequest | None = Body(default=None),  # noqa: B008 - FastAPI's way to make a body optional
) -> ConnectionOut:
    phone = data.phone if data else None
    return service.to_out(await service.connect(session, settings, connection_id, pairing_phone=phone))


@router.get("/{connection_id}/qr", response_model=QrOut)
async def current_qr(connection_id: ResourceId, session: SessionDep, _admin: AdminUser) -> QrOut:
    return await service.current_qr(session, connection_id)


@router.get("/{connection_id}/pairing-code", response_model=PairingCodeOut)
async def current_pairing_code(connection_id: ResourceId, session: SessionDep, _admin: AdminUser) -> PairingCodeOut:
    return await service.current_pairing_code(session, connection_id)


@router.post("/{connection_id}/logout", response_model=ConnectionOut, status_code=status.HTTP_202_ACCEPTED)
async def logout(connection_id: ResourceId, session: SessionDep, _admin: AdminUser) -> ConnectionOut:
    return service.to_out(await service.logout(session, connection_id))


@router.post("/{connection_id}/restart", response_model=ConnectionOut, status_code=status.HTTP_202_ACCEPTED)
async def restart(
    connection_id: ResourceId, session: SessionDep, settings: SettingsDep, _admin: AdminUser
) -> ConnectionOut:
    return service.to_out(await service.restart(session, settings, connection_id))
