"""Scheduled messages: an agent writes now what goes out to a contact later, through the outbox."""
