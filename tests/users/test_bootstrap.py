"""The first start creates one administrator, and tells the operator how to sign in, once."""

from __future__ import annotations

import dataclasses
import io
import logging

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import TEST_PASSWORD, MakeUser
from tests.signin.helpers import sign_in
from zapdesk.app import create_api
from zapdesk.context import AppContext
from zapdesk.users.bootstrap import bootstrap_first_admin
from zapdesk.users.models import Role, User


async def _users(session: AsyncSession) -> list[User]:
    users = list((await session.execute(select(User))).scalars().all())
    await session.commit()  # SQLite: even a read holds the write lock until the transaction ends
    return users


async def test_first_start_creates_the_admin_from_the_settings(
    context: AppContext, session: AsyncSession, client: httpx.AsyncClient
) -> None:
    out = io.StringIO()

    admin = await bootstrap_first_admin(context, out)

    assert admin is not None
    users = await _users(session)
    assert [(user.email, user.role) for user in users] == [(context.settings.admin_email, Role.ADMIN)]
    assert "zapdesk admin login: admin@zapdesk.local / (the password in ADMIN_PASSWORD)" in out.getvalue()
    # The operator chose this password: it is not echoed to the console, and it works.
    assert TEST_PASSWORD not in out.getvalue()
    assert (await sign_in(client, "admin@zapdesk.local", TEST_PASSWORD))["user"]["role"] == "admin"


async def test_without_admin_password_a_generated_one_is_printed_once_and_never_logged(
    context: AppContext, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    no_password = dataclasses.replace(context, settings=context.settings.model_copy(update={"admin_password": ""}))
    out = io.StringIO()

    with caplog.at_level(logging.DEBUG):
        admin = await bootstrap_first_admin(no_password, out)
        again = await bootstrap_first_admin(no_password, out)

    assert admin is not None and admin.generated_password
    assert again is None
    assert out.getvalue().count("zapdesk admin login:") == 1
    assert f"zapdesk admin login: admin@zapdesk.local / {admin.generated_password}" in out.getvalue()
    assert admin.generated_password not in caplog.text
    assert (await sign_in(client, "admin@zapdesk.local", admin.generated_password))["user"]["role"] == "admin"


async def test_later_starts_create_nothing_and_print_nothing(context: AppContext, session: AsyncSession) -> None:
    await bootstrap_first_admin(context, io.StringIO())
    out = io.StringIO()

    assert await bootstrap_first_admin(context, out) is None

    assert out.getvalue() == ""
    assert len(await _users(session)) == 1


async def test_existing_users_mean_no_bootstrap_even_without_an_admin(
    context: AppContext, session: AsyncSession, make_user: MakeUser
) -> None:
    agent = await make_user(role=Role.AGENT)

    assert await bootstrap_first_admin(context, io.StringIO()) is None

    assert [user.id for user in await _users(session)] == [agent.id]


async def test_unusable_admin_password_stops_the_start_with_a_clear_message(context: AppContext) -> None:
    short = dataclasses.replace(context, settings=context.settings.model_copy(update={"admin_password": "short"}))

    with pytest.raises(ValueError, match="ADMIN_EMAIL / ADMIN_PASSWORD"):
        await bootstrap_first_admin(short, io.StringIO())


async def test_the_app_runs_the_bootstrap_when_it_starts(
    context: AppContext, session: AsyncSession, capsys: pytest.CaptureFixture[str]
) -> None:
    api = create_api(context)

    async with api.router.lifespan_context(api):
        users = await _users(session)

    assert [user.role for user in users] == [Role.ADMIN]
    assert "zapdesk admin login: admin@zapdesk.local" in capsys.readouterr().out
