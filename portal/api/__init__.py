"""The HTTP API: routers per resource, shared dependencies, error mapping."""
