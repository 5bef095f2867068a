"""The ticket tests' `desk` and the media tests' `media_store` (a customer's message opens a ticket)."""

from __future__ import annotations

from tests.media.conftest import media_store

__all__ = ["media_store"]
