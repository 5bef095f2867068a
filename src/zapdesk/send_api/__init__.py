"""The send API for automations: `POST /api/v1/messages` with an API token — a number in, a queued message out."""
