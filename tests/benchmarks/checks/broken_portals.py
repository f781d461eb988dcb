"""Portal variants broken on purpose, served as app factories by the checks under test.

They run in the uvicorn child (``module:factory``), so what they patch is
patched there only. Each removes one behaviour a check is about and leaves
the rest of the portal as it is.
"""

from __future__ import annotations

from fastapi import FastAPI
from redis.asyncio import Redis

import portal.app
from portal.cache.breaker import FailoverBackend
from portal.cache.factory import build_response_cache
from portal.cache.service import ResponseCache
from portal.settings import Settings

WITHOUT_FALLBACK = "tests.benchmarks.checks.broken_portals:create_app_without_fallback"
WITHOUT_INVALIDATION = "tests.benchmarks.checks.broken_portals:create_app_without_invalidation"
NOT_AN_APP = "tests.benchmarks.checks.broken_portals:no_such_factory"


def _redis_only(settings: Settings, app: FastAPI, redis: Redis) -> ResponseCache:
    cache = build_response_cache(settings, app, redis)
    assert isinstance(cache.backend, FailoverBackend)
    cache.backend = cache.backend.primary  # Redis alone: no breaker, no in-process fallback
    return cache


def create_app_without_fallback() -> FastAPI:
    """The portal whose cache talks to Redis alone: a Redis outage is the request's error."""
    setattr(portal.app, "build_response_cache", _redis_only)  # noqa: B010 - patch the binding app.py uses
    return portal.app.create_app_from_env()


async def _renew_nothing(_self: ResponseCache, _tokens: list[tuple[str, str]]) -> None:
    return None


def create_app_without_invalidation() -> FastAPI:
    """The portal whose writes renew no version token: what was cached stays served."""
    setattr(ResponseCache, "invalidate", _renew_nothing)  # noqa: B010 - a method, replaced on purpose
    return portal.app.create_app_from_env()
