"""The ticket tests' `desk`."""

from __future__ import annotations

from tests.tickets.conftest import desk

__all__ = ["desk"]
