"""The ticket tests' `desk`, and a media store in the test's own data directory."""

from __future__ import annotations

import pytest

from tests.tickets.conftest import desk
from zapdesk.config import Settings
from zapdesk.media.store import MediaStore

__all__ = ["desk", "media_store"]


@pytest.fixture
def media_store(settings: Settings) -> MediaStore:
    return MediaStore(settings.media_dir)
