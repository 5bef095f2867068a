"""Meta's WhatsApp Business Cloud API: the `cloud` engine (outbound), the Graph API client and webhook reading.

Loaded lazily by the registry, like the other engines; nothing here knows tickets or contacts.
"""

from __future__ import annotations

from zapdesk.config import Settings
from zapdesk.engine.base import Engine, EventHandler


def create_cloud_engine(settings: Settings, connection_key: str, handler: EventHandler) -> Engine:
    from zapdesk.engine.cloud.adapter import CloudEngine

    return CloudEngine(settings, handler, connection_key=connection_key)
