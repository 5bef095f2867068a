"""/api/tokens: administrators make, list and revoke API tokens."""

from __future__ import annotations

from fastapi import APIRouter, status

from zapdesk.api.deps import SessionDep
from zapdesk.api.inputs import ResourceId
from zapdesk.api_tokens import service
from zapdesk.api_tokens.schemas import ApiTokenCreate, ApiTokenCreated, ApiTokenRead
from zapdesk.users.current import AdminUser

router = APIRouter(prefix="/tokens", tags=["api tokens"])


@router.get("", response_model=list[ApiTokenRead])
async def list_tokens(session: SessionDep, _admin: AdminUser) -> list[ApiTokenRead]:
    return [ApiTokenRead.of(token) for token in await service.list_tokens(session)]


@router.post("", response_model=ApiTokenCreated, status_code=status.HTTP_201_CREATED)
async def create_token(data: ApiTokenCreate, session: SessionDep, admin: AdminUser) -> ApiTokenCreated:
    """The token is in this answer only: it is stored hashed and cannot be shown again."""
    token, secret = await service.create_token(session, admin, data)
    return ApiTokenCreated(**ApiTokenRead.of(token).model_dump(), token=secret)


@router.delete("/{token_id}", response_model=ApiTokenRead)
async def revoke_token(token_id: ResourceId, session: SessionDep, _admin: AdminUser) -> ApiTokenRead:
    """Refused from the next request on; the token stays listed as revoked."""
    return ApiTokenRead.of(await service.revoke_token(session, token_id))
