"""Which engine serves a connection's provider. Loaded lazily: neonize brings a Go library we only want when used."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from zapdesk.config import Settings
from zapdesk.engine.base import Engine, EventHandler

EngineConstructor = Callable[[Settings, str, EventHandler], Engine]

# provider -> "module:function" building that provider's engine for one connection.
_CONSTRUCTORS = {
    "simulator": "zapdesk.engine.simulator:create_simulator_engine",
    "whatsapp": "zapdesk.engine.whatsapp:create_whatsapp_engine",
    "cloud": "zapdesk.engine.cloud:create_cloud_engine",
}


class UnknownProvider(ValueError):
    pass


def engine_constructor(provider: str) -> EngineConstructor:
    try:
        module_name, _, function = _CONSTRUCTORS[provider].partition(":")
    except KeyError:
        raise UnknownProvider(f"no engine for provider {provider!r}") from None
    constructor: EngineConstructor = getattr(importlib.import_module(module_name), function)
    return constructor


def build_engine(provider: str, settings: Settings, connection_key: str, handler: EventHandler) -> Engine:
    return engine_constructor(provider)(settings, connection_key, handler)


# Engines that acknowledge an inbound event to its sender only after our handler returned, i.e. after our commit
# (the simulator waits for it too; the Cloud webhook answers Meta 200 only after the commit). neonize acknowledges
# on arrival: a crash loses what was not yet stored.
ACKNOWLEDGES_AFTER_COMMIT = frozenset({"zapdesk-wa", "simulator", "cloud"})


def engine_name(provider: str, settings: Settings) -> str:
    """The program that runs a connection of `provider` under `settings`, as `/api/health` names it."""
    return settings.whatsapp_engine if provider == "whatsapp" else provider


def acknowledges_after_commit(name: str | None) -> bool | None:
    return None if name is None else name in ACKNOWLEDGES_AFTER_COMMIT
