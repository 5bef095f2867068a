"""Production, configured the way operators do it (environment variables): the simulator is gone, and the
server refuses to start with secrets anyone could guess, saying which variable to set.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from zapdesk import cli
from zapdesk.app import create_app
from zapdesk.config import DEFAULT_JWT_REFRESH_SECRET, DEFAULT_JWT_SECRET, InsecureSettings, Settings, get_settings

STRONG_ACCESS = "0f9d1c5e8a7b6c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b"
STRONG_REFRESH = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718"


@pytest.fixture(params=["ZAPDESK_ENV", "NODE_ENV"])
def production_env(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """A production environment with strong secrets, named by either variable operators use."""
    for name in ("ZAPDESK_ENV", "NODE_ENV", "SIMULATOR_ENABLED", "SIMULATOR_URL", "REDIS_URL", "DIRECT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(request.param, "production")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'zapdesk.db'}")
    monkeypatch.setenv("JWT_SECRET", STRONG_ACCESS)
    monkeypatch.setenv("JWT_REFRESH_SECRET", STRONG_REFRESH)
    monkeypatch.setenv("RUN_WORKERS", "false")
    monkeypatch.chdir(tmp_path)  # no stray .env file of the checkout
    get_settings.cache_clear()
    yield request.param
    get_settings.cache_clear()


@pytest.fixture
async def production_server(production_env: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app()  # what `zapdesk run` serves, settings from the environment
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://zapdesk.test") as client:
        yield client


SIMULATOR_PATHS = ("/simulator", "/simulator/", "/simulator/api/sessions", "/simulator/openapi.json", "/simulator/docs")


async def test_the_simulator_answers_404_in_production(production_server: httpx.AsyncClient) -> None:
    assert get_settings().is_production
    pages = {path: (await production_server.get(path)).status_code for path in SIMULATOR_PATHS}
    scan = await production_server.post("/simulator/api/scan", json={"code": "2@x", "phone": "5511900000001"})
    meta = (await production_server.get("/api/meta")).json()

    assert pages == dict.fromkeys(SIMULATOR_PATHS, 404)
    assert scan.status_code == 404
    assert meta["environment"] == "production"
    assert meta["simulator_url"] is None


@pytest.mark.parametrize(
    ("variable", "access", "refresh"),
    [
        ("JWT_SECRET", None, STRONG_REFRESH),  # not set: the built-in placeholder
        ("JWT_SECRET", DEFAULT_JWT_SECRET, STRONG_REFRESH),
        ("JWT_SECRET", "", STRONG_REFRESH),
        ("JWT_SECRET", "short-secret", STRONG_REFRESH),
        ("JWT_SECRET", "x" * 31, STRONG_REFRESH),
        ("JWT_REFRESH_SECRET", STRONG_ACCESS, None),
        ("JWT_REFRESH_SECRET", STRONG_ACCESS, DEFAULT_JWT_REFRESH_SECRET),
        ("JWT_REFRESH_SECRET", STRONG_ACCESS, "tiny"),
        ("JWT_SECRET and JWT_REFRESH_SECRET", STRONG_ACCESS, STRONG_ACCESS),
    ],
    ids=[
        "access-unset",
        "access-default",
        "access-empty",
        "access-short",
        "access-31",
        "refresh-unset",
        "refresh-default",
        "refresh-short",
        "equal",
    ],
)
def test_production_refuses_guessable_secrets_naming_the_variable(
    production_env: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    access: str | None,
    refresh: str | None,
) -> None:
    for name, value in (("JWT_SECRET", access), ("JWT_REFRESH_SECRET", refresh)):
        if value is None:
            monkeypatch.delenv(name)
        else:
            monkeypatch.setenv(name, value)

    monkeypatch.setattr(cli.logging, "basicConfig", lambda **_kwargs: None)  # leave pytest's logging alone

    with pytest.raises(InsecureSettings) as refused:
        create_app()
    get_settings.cache_clear()
    exit_code = cli.main(["run"])  # fails before migrating or listening
    stderr = capsys.readouterr().err

    assert variable in str(refused.value)
    assert exit_code == 2
    assert variable in stderr
    for secret in (access, refresh):
        if secret and len(secret) >= 8:
            assert secret not in stderr and secret not in str(refused.value)  # the message never echoes a secret


def test_outside_production_the_same_placeholders_are_accepted(tmp_path: Path) -> None:
    settings = Settings(environment="development", data_dir=tmp_path, jwt_secret=DEFAULT_JWT_SECRET)  # type: ignore[arg-type]

    settings.check_production_secrets()

    assert settings.simulator_enabled is True


def test_production_refuses_to_mount_the_simulator_even_when_asked(tmp_path: Path) -> None:
    settings = Settings(
        environment="production",  # type: ignore[arg-type]
        data_dir=tmp_path,
        jwt_secret="a" * 40,
        jwt_refresh_secret="b" * 40,
        simulator_enabled=True,
    )

    with pytest.raises(InsecureSettings) as refused:
        settings.check_production_secrets()

    assert "SIMULATOR_ENABLED" in str(refused.value)
