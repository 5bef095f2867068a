"""Security proofs use the ticket tests' `desk`: two queues, a connection, and each kind of user."""

from tests.tickets.conftest import desk

__all__ = ["desk"]
