"""The app factory: ``create_app(settings)`` builds one portal, with nothing at import."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from portal.api.deadline import RequestDeadlineMiddleware
from portal.api.errors import install_error_handlers
from portal.api.head_requests import HeadAsGetMiddleware
from portal.api.responses import JSONBytesResponse
from portal.api.routes import (
    admin_orders,
    admin_products,
    admin_users,
    cart,
    health,
    monitoring,
    orders,
    performance,
    products,
    users,
    wallet,
)
from portal.api.single_headers import SingleHeadersMiddleware
from portal.auth.cache import TokenCache
from portal.auth.revocations import RevocationListener
from portal.cache import (
    CacheSwitchListener,
    ResponseCacheMiddleware,
    build_response_cache,
    create_redis,
)
from portal.db.cleanup import CleanupPolicy, cleanup_periodically
from portal.db.engine import create_engine, is_unavailable
from portal.db.startup import ensure_index_state, ensure_schema
from portal.monitoring import HttpMetricsMiddleware, Monitor
from portal.settings import Settings
from portal.state import PortalState

log = logging.getLogger("portal")


def create_app(settings: Settings) -> FastAPI:
    """Build the portal. Connections open at start-up (lifespan), not here."""
    monitor = Monitor(settings) if settings.monitoring == "on" else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as running:
            state = await _open_state(settings, app, monitor, running)
            app.state.portal = state
            await _prepare_database(state)
            if monitor is not None:
                await monitor.start(engine=state.engine, redis=state.redis, cache=state.cache)
                running.push_async_callback(monitor.stop)
            if settings.cleanup_interval_s > 0:
                _run_in_background(running, _periodic_cleanup(state))
            if settings.gc_freeze:
                _freeze_start_up_heap()
            yield
        # The stack closes in reverse: background work, monitoring, cache,
        # revocation listener, Redis, then the engine's connections.

    app = FastAPI(
        title="perfproof portal",
        summary="A reference B2B portal whose performance claims perfproof measures.",
        version="0.1.0",
        default_response_class=JSONBytesResponse,
        lifespan=lifespan,
    )
    install_error_handlers(app)
    resources = (products, wallet, orders, cart, users, health)
    for module in (*resources, admin_orders, admin_products, admin_users, performance, monitoring):
        app.include_router(module.router)
    # Innermost: a cache hit never waits on it; a request that waits on the
    # database does, and the metrics layer outside it records the 503. The cache
    # layer's own waits (a token to look up, a computation in flight) count
    # against the same deadline (portal/deadlines.py).
    app.add_middleware(RequestDeadlineMiddleware, timeout_s=settings.request_timeout_s)
    if monitor is not None:
        # Inside the cache: a hit is answered (and timed, and recorded) by the
        # cache layer without the cost of one more wrapped layer; all else is
        # timed here from the moment the cache layer took the request.
        app.add_middleware(HttpMetricsMiddleware, monitor=monitor)
    if settings.cache == "on":
        # Off means absent: the uncached arm of a benchmark runs the plain portal.
        app.add_middleware(ResponseCacheMiddleware, timeout_s=settings.request_timeout_s)
    # Outermost, cache or not: no layer behind it may read a different credential
    # or idempotency key, and HEAD is GET to all of them.
    app.add_middleware(SingleHeadersMiddleware)
    app.add_middleware(HeadAsGetMiddleware)
    return app


async def _open_state(
    settings: Settings,
    app: FastAPI,
    monitor: Monitor | None,
    running: contextlib.AsyncExitStack,
) -> PortalState:
    """Engine, Redis, token cache and revocation listener, response cache and its switch;
    closed by ``running``."""
    engine = create_engine(settings)
    running.push_async_callback(engine.dispose)
    # Redis is optional at run time (the cache falls back), so its client is
    # lazy with short timeouts: a dead Redis must not hold a request.
    redis = create_redis(settings)
    running.push_async_callback(redis.aclose)
    tokens = TokenCache(ttl=settings.token_cache_seconds, max_entries=settings.token_cache_size)
    state = PortalState(settings=settings, engine=engine, redis=redis, tokens=tokens)
    state.statements.attach(engine)
    state.revocations = RevocationListener(redis, tokens)
    state.revocations.start()
    running.push_async_callback(state.revocations.stop)
    if monitor is not None:
        state.monitor = monitor
        monitor.attach(engine)
    if settings.cache == "on":
        state.cache = build_response_cache(settings, app, redis)
        running.push_async_callback(state.cache.aclose)
        if settings.cache_switch:
            state.cache_switch = CacheSwitchListener(redis, state.cache)
            state.cache_switch.start()
            running.push_async_callback(state.cache_switch.stop)
    return state


def _freeze_start_up_heap() -> None:
    """Move everything start-up made out of the garbage collector's sight (``gc.freeze``).

    Start-up leaves a large heap of long-lived objects (modules, SQLAlchemy's
    and pydantic's caches, the app), which every full collection walked again:
    under load on two busy cores that walk blocked the event loop for 54-127 ms
    once per process, in the middle of the first seconds' backlog, and grew into
    the load tests' 0.6-0.9 s stalls (docs/loadtests.md, "Stalls"). Frozen
    objects are never collected, which these are not anyway.
    """
    gc.collect()
    gc.freeze()


async def _prepare_database(state: PortalState) -> None:
    """Schema and index state as the settings say; then forget what an earlier run cached."""
    try:
        await ensure_schema(state.engine)
        await ensure_index_state(state.engine, state.settings.indexes)
    except Exception as error:
        if not is_unavailable(error):
            raise
        # Serve anyway: requests answer 503 until the database is back.
        log.error("database unavailable at start-up: %s", error)
    if state.cache is not None:
        # Entries written by an earlier run may describe data that has since
        # been regenerated, or a response shape that has changed.
        await state.cache.clear(None, None)


async def _periodic_cleanup(state: PortalState) -> None:
    settings = state.settings
    policy = CleanupPolicy(
        cart_days=settings.cleanup_cart_days, audit_days=settings.cleanup_audit_days
    )
    await cleanup_periodically(state.engine, policy, interval_s=settings.cleanup_interval_s)


def _run_in_background(running: contextlib.AsyncExitStack, work: Coroutine[Any, Any, None]) -> None:
    """Start ``work`` as a task that is cancelled (and awaited) when ``running`` closes."""
    task = asyncio.create_task(work)

    async def cancel() -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    running.push_async_callback(cancel)


def create_app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory``: settings from ``PORTAL_*`` variables."""
    return create_app(Settings())
