"""`zapdesk api` and `zapdesk worker` refuse settings they cannot run on, saying what to set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from zapdesk.cli import main
from zapdesk.config import get_settings
from zapdesk.scaleout.requirements import unique_owner

POSTGRES = "postgresql://postgres@127.0.0.1:5432/zapdesk"


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)  # no .env of the checkout
    for name in ("DATABASE_URL", "REDIS_URL", "NODE_ENV", "ZAPDESK_ENV"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().err


def test_api_without_redis_url_refuses_to_start_and_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", POSTGRES)

    code, err = run(["api"], capsys)

    assert code == 2
    assert "REDIS_URL" in err and "zapdesk run" in err


def test_api_and_worker_refuse_sqlite(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")

    for command in ("api", "worker"):
        code, err = run([command], capsys)
        assert code == 2
        assert "PostgreSQL DATABASE_URL" in err


def test_standalone_worker_without_redis_url_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", POSTGRES)

    code, err = run(["worker"], capsys)

    assert code == 2
    assert "REDIS_URL" in err and "--channel-fd" in err


def test_each_worker_gets_an_owner_id_no_other_process_has() -> None:
    owners = {unique_owner() for _ in range(50)}

    assert len(owners) == 50
    host, pid, _random = next(iter(owners)).rsplit(":", 2)
    assert host and pid.isdigit()
