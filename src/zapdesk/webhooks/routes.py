"""/api/webhook-endpoints: administrators register endpoints, read their delivery log and send a delivery again."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from zapdesk.api.deps import SessionDep, SettingsDep
from zapdesk.api.inputs import ResourceId
from zapdesk.users.current import AdminUser
from zapdesk.webhooks import service
from zapdesk.webhooks.schemas import DeliveryRead, EndpointCreate, EndpointRead, EndpointUpdate

router = APIRouter(tags=["outgoing webhooks"])


@router.get("/webhook-endpoints", response_model=list[EndpointRead])
async def list_endpoints(session: SessionDep, _admin: AdminUser) -> list[EndpointRead]:
    return [EndpointRead.of(endpoint) for endpoint in await service.list_endpoints(session)]


@router.post("/webhook-endpoints", response_model=EndpointRead, status_code=status.HTTP_201_CREATED)
async def create_endpoint(
    data: EndpointCreate, session: SessionDep, settings: SettingsDep, _admin: AdminUser
) -> EndpointRead:
    """Register an endpoint; its signing secret is in this answer only. 422 for a private address (unless
    ALLOW_PRIVATE_TARGETS)."""
    endpoint, secret = await service.create_endpoint(session, settings, data)
    return EndpointRead.of(endpoint, secret)


@router.patch("/webhook-endpoints/{endpoint_id}", response_model=EndpointRead)
async def update_endpoint(
    endpoint_id: ResourceId, data: EndpointUpdate, session: SessionDep, settings: SettingsDep, _admin: AdminUser
) -> EndpointRead:
    endpoint, secret = await service.update_endpoint(session, settings, endpoint_id, data)
    return EndpointRead.of(endpoint, secret)


@router.delete("/webhook-endpoints/{endpoint_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_endpoint(endpoint_id: ResourceId, session: SessionDep, _admin: AdminUser) -> Response:
    await service.delete_endpoint(session, endpoint_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/webhook-endpoints/{endpoint_id}/deliveries", response_model=list[DeliveryRead])
async def list_deliveries(
    endpoint_id: ResourceId,
    session: SessionDep,
    _admin: AdminUser,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[DeliveryRead]:
    """The delivery log, newest first: each delivery with every attempt's answer, latency and excerpt."""
    found = await service.list_deliveries(session, endpoint_id, limit=limit)
    return [DeliveryRead.of(delivery, attempts) for delivery, attempts in found]


@router.post("/webhook-deliveries/{delivery_id}/resend", response_model=DeliveryRead)
async def resend_delivery(
    delivery_id: ResourceId, session: SessionDep, settings: SettingsDep, _admin: AdminUser
) -> DeliveryRead:
    """ "Reenviar": queue the delivery again now, with the same `webhook-id`."""
    delivery = await service.resend(session, delivery_id, service.RetrySchedule.from_settings(settings))
    return DeliveryRead.of(delivery, [])
