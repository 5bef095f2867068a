"""Shares the `desk` fixture of the ticket tests (messages and contacts live in the same desk)."""

from tests.tickets.conftest import desk

__all__ = ["desk"]
