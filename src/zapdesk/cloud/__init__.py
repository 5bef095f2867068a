"""The Cloud API channel's side in the app: a connection's Meta credentials (encrypted), its message templates,
and the webhook route that verifies Meta's notifications and hands their events to `ingest`."""
