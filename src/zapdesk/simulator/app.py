"""The simulator as an ASGI app: standalone (`zapdesk simulator`) or mounted at `/simulator` in the main server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI

import zapdesk.simulator
from zapdesk.api.docs import install_docs
from zapdesk.config import Settings
from zapdesk.errors import install_error_handlers
from zapdesk.kit.clock import SYSTEM_CLOCK, Clock
from zapdesk.simulator import cloud_routes, routes
from zapdesk.simulator.cloud import FakeCloud, GraphProblem
from zapdesk.simulator.config import SimulatorConfig
from zapdesk.simulator.network import SimulatorNetwork

MOUNT_PATH = "/simulator"


def create_simulator_app(config: SimulatorConfig | None = None, *, clock: Clock = SYSTEM_CLOCK) -> FastAPI:
    config = config or SimulatorConfig()
    network = SimulatorNetwork(config, clock)
    cloud = FakeCloud(config, network.store.put_media, network.media, clock=clock)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        network.ensure_started()
        try:
            yield
        finally:
            await cloud.close()
            await network.close()

    app = FastAPI(
        title="zapdesk WhatsApp simulator",
        version="0.1.0",
        description=zapdesk.simulator.__doc__ or "",
        docs_url=None,  # served by install_docs: offline, under the main server's Content-Security-Policy
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.network = network
    app.state.cloud = cloud
    install_error_handlers(app)
    app.add_exception_handler(GraphProblem, cloud_routes.graph_problem_response)
    app.include_router(routes.page)
    app.include_router(routes.control)
    app.include_router(routes.device)
    app.include_router(cloud_routes.graph)
    app.include_router(cloud_routes.media)
    app.include_router(cloud_routes.control)
    install_docs(app, path="/docs")
    return app


@dataclass(frozen=True, slots=True)
class MountedSimulator:
    network: SimulatorNetwork
    cloud: FakeCloud

    async def close(self) -> None:
        await self.cloud.close()
        await self.network.close()


def mount_simulator(api: FastAPI, settings: Settings) -> MountedSimulator | None:
    """Mount the simulator at `/simulator` when enabled (never by default in production); the caller closes it."""
    if not settings.simulator_enabled:
        return None
    simulator = create_simulator_app(SimulatorConfig.for_server(settings))
    api.mount(MOUNT_PATH, simulator)
    return MountedSimulator(simulator.state.network, simulator.state.cloud)
