"""HTTP plumbing shared by the domain routers: dependencies, limits, the router registry."""
