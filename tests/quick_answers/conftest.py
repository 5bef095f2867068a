"""The quick answer tests use the ticket tests' `desk` and the media tests' `media_store`."""

from __future__ import annotations

from tests.media.conftest import media_store
from tests.tickets.conftest import desk

__all__ = ["desk", "media_store"]
