"""/api/automation: previews for the forms that configure automation."""

from __future__ import annotations

from fastapi import APIRouter

from zapdesk.api.deps import SessionDep
from zapdesk.automation import service
from zapdesk.automation.schemas import MenuPreviewRequest, Preview
from zapdesk.users.current import AdminUser

router = APIRouter(prefix="/automation", tags=["automation"])


@router.post("/menu-preview", response_model=Preview)
async def preview_menu(body: MenuPreviewRequest, session: SessionDep, _admin: AdminUser) -> Preview:
    """The first message of a new ticket as the customer will read it: the greeting, then the queues in menu
    order, for the greeting and queues given (not saved)."""
    return Preview(text=await service.menu_preview(session, body))
