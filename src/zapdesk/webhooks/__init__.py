"""Outgoing webhooks: what happens in zapdesk, posted to the endpoints administrators register, signed per the
Standard Webhooks scheme, from a durable queue in the database, retried, in order per ticket, and logged."""
