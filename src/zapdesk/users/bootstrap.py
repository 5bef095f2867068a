"""The first start of a new installation: create an administrator so someone can sign in at all."""

from __future__ import annotations

import logging
import secrets
import sys
from dataclasses import dataclass
from typing import TextIO

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from zapdesk.config import Settings
from zapdesk.context import AppContext
from zapdesk.db.uow import unit_of_work
from zapdesk.errors import Conflict, describe_validation_errors
from zapdesk.users import repository
from zapdesk.users.models import Role
from zapdesk.users.schemas import UserCreate
from zapdesk.users.service import create_user

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FirstAdmin:
    email: str
    # Set only when we generated it: a password from ADMIN_PASSWORD is the operator's and is never echoed.
    generated_password: str | None


async def create_first_admin(session: AsyncSession, settings: Settings) -> FirstAdmin | None:
    """Create the administrator from ADMIN_EMAIL / ADMIN_PASSWORD (or a generated password) if no user exists."""
    if await repository.count_users(session) > 0:
        return None
    generated = None if settings.admin_password else secrets.token_urlsafe(12)
    try:
        data = UserCreate(
            name="Administrator",
            email=settings.admin_email,
            role=Role.ADMIN,
            password=settings.admin_password or generated or "",
        )
    except ValidationError as exc:
        problems = describe_validation_errors(list(exc.errors()))
        raise ValueError(f"ADMIN_EMAIL / ADMIN_PASSWORD cannot make the first administrator: {problems}") from exc
    await create_user(session, data)
    return FirstAdmin(email=data.email, generated_password=generated)


async def bootstrap_first_admin(context: AppContext, out: TextIO | None = None) -> FirstAdmin | None:
    """Run at start-up: create the first admin in its own transaction, then tell the operator how to sign in."""
    try:
        async with unit_of_work(context.sessionmaker) as session:
            admin = await create_first_admin(session, context.settings)
    except Conflict:
        # Another process starting at the same moment created it first.
        return None
    if admin is not None:
        log.info("created the first administrator, %s", admin.email)
        _announce(admin, out or sys.stdout)
    return admin


def _announce(admin: FirstAdmin, out: TextIO) -> None:
    # Printed once, after the commit, so the credentials shown are the ones that work; never logged.
    password = admin.generated_password or "(the password in ADMIN_PASSWORD)"
    rule = "=" * 72
    print(
        f"\n{rule}\n  zapdesk admin login: {admin.email} / {password}\n"
        f"  Sign in and change this password under Users.\n{rule}\n",
        file=out,
        flush=True,
    )
