"""Ticket history: what happened to each ticket, who did it and when, in append-only rows (see `service`)."""
