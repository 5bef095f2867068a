"""Media fixtures: the ticket tests' `desk`, a media store, and a small upload limit to test against."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_settings
from tests.tickets.conftest import desk
from zapdesk.config import Settings
from zapdesk.media.store import MediaStore

__all__ = ["desk", "media_store", "settings"]

UPLOAD_LIMIT = 64 * 1024


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path / "data", max_upload_bytes=UPLOAD_LIMIT)


def stored_files(media_store: MediaStore) -> list[Path]:
    """Every file in the store, including half-written ones."""
    return sorted(path for path in media_store.root.rglob("*") if path.is_file())


@pytest.fixture
def media_store(settings: Settings) -> MediaStore:
    """Where this test's message files go: under its own data directory."""
    return MediaStore(settings.media_dir)
