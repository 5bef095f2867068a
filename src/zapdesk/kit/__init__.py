"""Shared mechanics every layer may import (STYLE rule 11): time, retries, pages, conflicts, upserts, phones,
addresses, secrets, group commit.

Nothing here knows a domain (tickets, connections, users) or the HTTP layer.
"""
