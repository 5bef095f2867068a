"""The `zapdesk` command: its help, and creating users from the shell against a fresh SQLite database."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from zapdesk.cli import main
from zapdesk.config import get_settings


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The CLI reads its settings from the environment: point it at an empty SQLite file."""
    path = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("ZAPDESK_ENV", "test")
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def _users(database: Path) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT email, name, role, password_hash FROM users ORDER BY id").fetchall()
    return [tuple(row) for row in rows]


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])

    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("run", "migrate", "create-user"):
        assert command in out


def test_create_user_migrates_and_creates_the_user(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["create-user", "--email", "Maria@Example.com", "--name", "Maria", "--role", "admin",
                 "--password", "s3cret-enough"])  # fmt: skip

    assert code == 0
    assert "Created admin maria@example.com" in capsys.readouterr().out
    [(email, name, role, password_hash)] = _users(database)
    assert (email, name, role) == ("maria@example.com", "Maria", "admin")
    assert password_hash.startswith("$argon2id$")


def test_create_user_asks_for_the_password_twice_when_none_is_given(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter(["typed-secret", "typed-secret"])
    monkeypatch.setattr("getpass.getpass", lambda _prompt="": next(answers))

    code = main(["create-user", "--email", "nina@example.com", "--name", "Nina"])

    assert code == 0
    assert [(email, role) for email, _name, role, _hash in _users(database)] == [("nina@example.com", "agent")]


def test_create_user_refuses_passwords_that_differ(
    database: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter(["typed-secret", "typed-secreT"])
    monkeypatch.setattr("getpass.getpass", lambda _prompt="": next(answers))

    code = main(["create-user", "--email", "otto@example.com", "--name", "Otto"])

    assert code == 1
    assert "the passwords differ" in capsys.readouterr().err
    assert not database.exists() or _users(database) == []


def test_create_user_with_an_email_in_use_fails_politely(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["create-user", "--email", "paula@example.com", "--name", "Paula", "--password", "first-pass"]) == 0

    code = main(["create-user", "--email", "PAULA@example.com", "--name", "Paula 2", "--password", "other-pass"])

    assert code == 1
    assert "zapdesk create-user: A user with the email paula@example.com already exists." in capsys.readouterr().err
    assert len(_users(database)) == 1


def test_create_user_with_a_short_password_fails_before_touching_the_database(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["create-user", "--email", "rui@example.com", "--name", "Rui", "--password", "short"])

    assert code == 1
    assert "password" in capsys.readouterr().err
    assert not database.exists()


def test_create_user_with_an_unknown_role_is_a_usage_error(database: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["create-user", "--email", "s@example.com", "--name", "S", "--role", "owner", "--password", "12345678"])

    assert exit_info.value.code == 2


def test_openapi_prints_the_document_the_web_types_come_from_whatever_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")  # never connected to
    monkeypatch.setenv("SIMULATOR_ENABLED", "true")

    assert main(["openapi"]) == 0

    document = json.loads(capsys.readouterr().out)
    assert document["info"]["title"] == "zapdesk"
    assert "/api/events" in document["paths"]
    assert {"TicketUpdated", "MessageCreated", "ConnectionQrShown"} <= set(document["components"]["schemas"])
