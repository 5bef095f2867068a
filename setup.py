"""The one build step pyproject.toml cannot declare: the wheel carries the built web app.

`pip install .`, `pip wheel .` and `python -m build` copy `web/dist` (what `make web` builds) into the package as
`zapdesk/webapp`, where `zapdesk.web` serves it from, so an installed `zapdesk run` serves the UI with no
checkout and no WEB_DIST_DIR. When `web/dist` is missing and npm is at hand, it is built first; with neither,
the build stops and says so rather than make a wheel whose server answers "web UI not built". An editable
install (`make install`) copies nothing: a checkout serves `web/dist` itself.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.errors import SetupError

ROOT = Path(__file__).resolve().parent
WEB = ROOT / "web"
WEB_DIST = WEB / "dist"
PACKAGED = Path("zapdesk", "webapp")  # inside the wheel; zapdesk.web.PACKAGED_DIST_DIR


def built_web_app() -> Path:
    if (WEB_DIST / "index.html").is_file():
        return WEB_DIST
    npm = shutil.which("npm")
    if npm is None or not (WEB / "package.json").is_file():
        raise SetupError(
            "The web app is not built (web/dist/index.html is missing) and npm is not available to build it: "
            "run `make web` (or `cd web && npm ci && npm run build`) first."
        )
    if not (WEB / "node_modules").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True)  # noqa: S603  (fixed arguments)
    subprocess.run([npm, "run", "build"], cwd=WEB, check=True)  # noqa: S603  (fixed arguments)
    return WEB_DIST


class BuildPyWithWebApp(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / PACKAGED
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(built_web_app(), target)


setup(cmdclass={"build_py": BuildPyWithWebApp})
