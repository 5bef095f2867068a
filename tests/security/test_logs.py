"""No secret, password or token in what the server logs or prints, through the flows that handle them.

Everything runs with known values (JWT secrets, the admin's password, users' passwords) on the real server
(uvicorn, so its own request and WebSocket logs count too), with every logger at DEBUG. The only thing ever
allowed to show a credential is the first-admin banner, and only a password the server generated itself.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_settings
from tests.live_server import LiveServer
from zapdesk.config import Settings
from zapdesk.context import AppContext
from zapdesk.users.bootstrap import bootstrap_first_admin

ACCESS_SECRET = "known-access-secret-6f1c0e9a2b7d4c3e8f5a1b2c"
REFRESH_SECRET = "known-refresh-secret-9d8c7b6a5f4e3d2c1b0a9f8e"
ADMIN_EMAIL = "first-admin@example.com"
ADMIN_PASSWORD = "Admin-Password-From-Env-731"
USER_PASSWORD = "New-Agent-Password-284"
CHANGED_PASSWORD = "Changed-Agent-Password-915"
WRONG_PASSWORD = "Wrong-Guess-Password-550"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Overrides the suite's settings: secrets and the first admin's password known to this test."""
    return make_settings(
        database_url,
        tmp_path / "data",
        jwt_secret=ACCESS_SECRET,
        jwt_refresh_secret=REFRESH_SECRET,
        admin_email=ADMIN_EMAIL,
        admin_password=ADMIN_PASSWORD,
    )


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every logger at DEBUG, from before the server starts (its lifespan creates the first admin)."""
    with caplog.at_level(logging.DEBUG):
        yield caplog


def logged_text(caplog: pytest.LogCaptureFixture) -> str:
    """What any handler could write: formatted messages, raw arguments and tracebacks."""
    parts = [caplog.text]
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        parts.append(repr({key: value for key, value in vars(record).items() if key not in ("msg", "args")}))
    return "\n".join(parts)


def secrets_in(text: str, secrets: dict[str, str]) -> list[str]:
    return sorted(name for name, secret in secrets.items() if secret in text)


def token_secrets(label: str, tokens: dict[str, Any]) -> dict[str, str]:
    """A token, and its signature alone (a log could show a token cut at its dots)."""
    found = {}
    for kind in ("access_token", "refresh_token"):
        token = str(tokens[kind])
        found[f"{label} {kind}"] = token
        found[f"{label} {kind} signature"] = token.rsplit(".", 1)[-1]
    return found


async def test_sign_in_users_refresh_and_sockets_log_no_secret(
    all_logs: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str], live_server: LiveServer
) -> None:
    secrets = {
        "JWT_SECRET": ACCESS_SECRET,
        "JWT_REFRESH_SECRET": REFRESH_SECRET,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "new user's password": USER_PASSWORD,
        "changed password": CHANGED_PASSWORD,
        "wrong password": WRONG_PASSWORD,
    }
    async with live_server.http() as http:
        refused = await http.post("/api/auth/login", json={"email": ADMIN_EMAIL, "password": WRONG_PASSWORD})
        unknown = await http.post("/api/auth/login", json={"email": "nobody@example.com", "password": WRONG_PASSWORD})
        admin = (await http.post("/api/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})).json()
        as_admin = {"Authorization": f"Bearer {admin['access_token']}"}
        created = await http.post(
            "/api/users",
            json={"name": "Bia", "email": "bia@example.com", "password": USER_PASSWORD},
            headers=as_admin,
        )
        agent = (
            await http.post("/api/auth/login", json={"email": "bia@example.com", "password": USER_PASSWORD})
        ).json()
        renewed = (await http.post("/api/auth/refresh", json={"refresh_token": agent["refresh_token"]})).json()
        reused = await http.post("/api/auth/refresh", json={"refresh_token": agent["refresh_token"]})
        changed = await http.patch(
            f"/api/users/{created.json()['id']}", json={"password": CHANGED_PASSWORD}, headers=as_admin
        )
        too_short = await http.post(
            "/api/users", json={"name": "X", "email": "x@example.com", "password": "short"}, headers=as_admin
        )
    # Both ways a socket may carry its token; the query string is what uvicorn writes into its logs.
    async with live_server.socket(admin["access_token"]):
        pass
    async with live_server.socket(None, query=f"token={admin['access_token']}"):
        pass

    assert [refused.status_code, unknown.status_code, created.status_code, reused.status_code] == [401, 401, 201, 401]
    assert [changed.status_code, too_short.status_code] == [200, 422]
    for label, tokens in (("admin", admin), ("agent", agent), ("renewed", renewed)):
        secrets |= token_secrets(label, tokens)
    logs = logged_text(all_logs)
    printed = capsys.readouterr()
    assert any("WebSocket /socket.io/" in record.getMessage() for record in all_logs.records)  # uvicorn did log
    assert secrets_in(logs, secrets) == []
    assert secrets_in(printed.out + printed.err, secrets) == []
    # The banner was printed, pointing at the variable instead of echoing it.
    assert f"zapdesk admin login: {ADMIN_EMAIL} / (the password in ADMIN_PASSWORD)" in printed.out


async def test_a_generated_first_admin_password_is_printed_once_and_never_logged(
    all_logs: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str], context: AppContext
) -> None:
    context.settings.admin_password = ""

    admin = await bootstrap_first_admin(context)

    assert admin is not None and admin.generated_password
    printed = capsys.readouterr()
    assert printed.out.count(admin.generated_password) == 1  # the deliberate banner
    assert admin.generated_password not in printed.err
    assert admin.generated_password not in logged_text(all_logs)
    assert any(record.name == "zapdesk.users.bootstrap" for record in all_logs.records)
