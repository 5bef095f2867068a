"""Shared mechanics every layer may import: nothing here knows a domain (tickets, connections, users)."""
