"""The report tests' `desk` and `media_store` (customers' messages open the tickets of the scripted day)."""

from __future__ import annotations

from tests.media.conftest import media_store
from tests.tickets.conftest import desk

__all__ = ["desk", "media_store"]
