"""The app factory: ``create_app(settings)`` builds one portal, with nothing at import."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from redis.asyncio import Redis

from portal.api.errors import install_error_handlers
from portal.api.responses import JSONBytesResponse
from portal.api.routes import cart, health, orders, products, users, wallet
from portal.api.state import PortalState
from portal.auth.cache import TokenCache
from portal.db.engine import create_engine, is_unavailable
from portal.db.startup import ensure_schema
from portal.settings import Settings

log = logging.getLogger("portal")

# Redis is optional at run time (the cache falls back), so its timeouts are
# short: a dead Redis must not hold a request for long.
REDIS_TIMEOUT_S = 0.5


def create_app(settings: Settings) -> FastAPI:
    """Build the portal. Connections open at start-up (lifespan), not here."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings)
        redis = Redis.from_url(
            settings.redis_url,
            socket_connect_timeout=REDIS_TIMEOUT_S,
            socket_timeout=REDIS_TIMEOUT_S,
        )
        app.state.portal = PortalState(
            settings=settings,
            engine=engine,
            redis=redis,
            tokens=TokenCache(
                ttl=settings.token_cache_seconds, max_entries=settings.token_cache_size
            ),
        )
        try:
            await ensure_schema(engine)
        except Exception as error:
            if not is_unavailable(error):
                raise
            # Serve anyway: requests answer 503 until the database is back.
            log.error("database unavailable at start-up: %s", error)
        try:
            yield
        finally:
            await redis.aclose()
            await engine.dispose()

    app = FastAPI(
        title="perfproof portal",
        summary="A reference B2B portal whose performance claims perfproof measures.",
        version="0.1.0",
        default_response_class=JSONBytesResponse,
        lifespan=lifespan,
    )
    install_error_handlers(app)
    for module in (products, wallet, orders, cart, users, health):
        app.include_router(module.router)
    return app


def create_app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory``: settings from ``PORTAL_*`` variables."""
    return create_app(Settings())
