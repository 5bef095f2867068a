"""The package as a user installs it: the wheel carries the built web app, and `zapdesk run` from it serves the UI.

The wheel is built from a copy of the checkout's package files (nothing is written into the checkout) with the
project's own setuptools, then installed without its dependencies into a fresh virtual environment in a temporary
folder; the dependencies come from the project's environment through a `.pth` file, so the test needs no network
and no download, while `zapdesk` itself can only come from the wheel (the checkout's editable install lives in a
`.pth` the fresh environment never reads).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.server_process import server_process
from tests.services import free_port
from zapdesk import __version__

pytestmark = pytest.mark.processes

REPO = Path(__file__).resolve().parents[1]
WEB_DIST = REPO / "web" / "dist"
# What setup.py and pyproject.toml build from (MANIFEST.in's web sources are not needed: web/dist is built).
PACKAGE_FILES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE")
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "node_modules")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (WEB_DIST / "index.html").is_file():
        pytest.fail("The web UI is not built: run `make web` (or `cd web && npm ci && npm run build`).")
    source = tmp_path_factory.mktemp("source")
    for name in PACKAGE_FILES:
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "src", source / "src", ignore=SKIPPED)
    shutil.copytree(WEB_DIST, source / "web" / "dist")
    out = tmp_path_factory.mktemp("wheelhouse")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", out, source],
        check=True,
        cwd=source,
    )
    [built] = out.glob("zapdesk-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed; returns its bin folder."""
    home = tmp_path_factory.mktemp("venv")
    venv.create(home, with_pip=True)
    python = home / "bin" / "python"
    site_packages = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site_packages, "project-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", wheel], check=True)
    return home / "bin"


def test_the_wheel_carries_the_built_web_app(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    built = {path.relative_to(WEB_DIST).as_posix() for path in WEB_DIST.rglob("*") if path.is_file()}
    assert {f"zapdesk/webapp/{name}" for name in built} <= names
    assert "zapdesk/migrations/script.py.mako" in names  # package data still there
    assert not any(name.startswith(("web/", "tests/")) for name in names)


def test_zapdesk_says_its_version(installed: Path) -> None:
    result = subprocess.run([installed / "zapdesk", "--version"], check=True, capture_output=True, text=True)
    assert result.stdout.strip() == f"zapdesk {__version__}"


@pytest.fixture
def served(installed: Path, tmp_path: Path) -> Iterator[str]:
    """`zapdesk run` of the installed package, on SQLite in a folder of its own, on a free port."""
    port = free_port()
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("ZAPDESK_", "WEB_", "DATABASE_", "REDIS_", "PYTHON", "VIRTUAL_ENV"))
    }
    environment |= {
        "ZAPDESK_ENV": "test",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATA_DIR": str(tmp_path / "data"),
        "AUTH_SESSIONS_DIR": str(tmp_path / "data" / "auth_sessions"),
        "JWT_SECRET": "wheel-test-access-secret-0123456789abcdef",
        "JWT_REFRESH_SECRET": "wheel-test-refresh-secret-0123456789abcdef",
        "SIMULATOR_ENABLED": "false",
    }
    with server_process(
        [installed / "zapdesk", "run"], env=environment, cwd=tmp_path, log=tmp_path / "server.log", port=port
    ):
        yield f"http://127.0.0.1:{port}"


def test_zapdesk_run_from_the_wheel_serves_the_ui(served: str, installed: Path) -> None:
    where = subprocess.run(
        [installed / "python", "-c", "import zapdesk.web as web; print(web.DEFAULT_DIST_DIR)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=installed,
    ).stdout.strip()
    assert Path(where).is_relative_to(installed.parent), where  # the wheel's copy, not the checkout's

    index = httpx.get(f"{served}/", timeout=10)
    assert index.status_code == 200
    assert index.text == (WEB_DIST / "index.html").read_text()
    [asset] = re.findall(r'src="(/assets/[^"]+\.js)"', index.text)
    script = httpx.get(f"{served}{asset}", timeout=10)
    assert script.status_code == 200
    assert script.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert script.content == (WEB_DIST / asset.lstrip("/")).read_bytes()
    # A client-side route gets the app too.
    assert httpx.get(f"{served}/tickets", timeout=10).text == index.text
