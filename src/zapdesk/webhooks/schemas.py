"""Outgoing webhook JSON shapes: endpoints (the secret shown only when made or rotated) and the delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from zapdesk.api.inputs import WebAddress
from zapdesk.kit.addresses import check_url
from zapdesk.webhooks.events import EVENT_TYPES
from zapdesk.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint

EventType = Literal[
    "message.created", "message.updated", "ticket.created", "ticket.updated", "contact.updated", "connection.updated"
]
assert set(EventType.__args__) == set(EVENT_TYPES)  # type: ignore[attr-defined]
Description = Annotated[str, Field(max_length=200), AfterValidator(str.strip)]
Secret = Annotated[str, StringConstraints(pattern=r"^whsec_[A-Za-z0-9+/]{32,}={0,2}$")]


class EndpointCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: WebAddress
    events: list[EventType] = Field(min_length=1)
    description: Description = ""
    secret: Secret | None = Field(default=None, description="A `whsec_…` secret; left out, one is made.")

    def model_post_init(self, _context: Any) -> None:
        check_url(self.url)


class EndpointUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: WebAddress | None = None
    events: list[EventType] | None = Field(default=None, min_length=1)
    description: Description | None = None
    # Strict: the schema says boolean, so "true" or 1 are refused rather than read as one.
    enabled: StrictBool | None = None
    rotate_secret: StrictBool = Field(default=False, description="Make a new secret (shown in this answer only).")

    def model_post_init(self, _context: Any) -> None:
        if self.url is not None:
            check_url(self.url)


class EndpointRead(BaseModel):
    id: int
    url: str
    description: str
    events: list[str]
    enabled: bool
    created_at: datetime
    secret: str | None = Field(default=None, description="Only when just made or rotated: store it now.")

    @classmethod
    def of(cls, endpoint: WebhookEndpoint, secret: str | None = None) -> EndpointRead:
        return cls(
            id=endpoint.id,
            url=endpoint.url,
            description=endpoint.description,
            events=list(endpoint.events),
            enabled=endpoint.enabled,
            created_at=endpoint.created_at,
            secret=secret,
        )


class AttemptRead(BaseModel):
    attempted_at: datetime
    status_code: int | None
    latency_ms: int
    response_excerpt: str
    error: str | None

    @classmethod
    def of(cls, attempt: WebhookAttempt) -> AttemptRead:
        return cls(
            attempted_at=attempt.attempted_at,
            status_code=attempt.status_code,
            latency_ms=attempt.latency_ms,
            response_excerpt=attempt.response_excerpt,
            error=attempt.error,
        )


class DeliveryRead(BaseModel):
    id: int
    message_id: str
    event: str
    status: DeliveryStatus
    attempts: list[AttemptRead]
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None

    @classmethod
    def of(cls, delivery: WebhookDelivery, attempts: list[WebhookAttempt]) -> DeliveryRead:
        return cls(
            id=delivery.id,
            message_id=delivery.message_id,
            event=delivery.event,
            status=delivery.status,
            attempts=[AttemptRead.of(attempt) for attempt in attempts],
            created_at=delivery.created_at,
            next_attempt_at=delivery.next_attempt_at if delivery.status == DeliveryStatus.PENDING else None,
            delivered_at=delivery.delivered_at,
        )
