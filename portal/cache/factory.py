"""Assembles the cache of one portal process from its settings, app and Redis client."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from redis.asyncio import Redis

from portal.cache.breaker import FailoverBackend
from portal.cache.memory import MemoryBackend
from portal.cache.redis_backend import RedisBackend
from portal.cache.routing import RouteTable
from portal.cache.service import GENERATION, TOKEN_TTL_S, ResponseCache, default_prefix
from portal.settings import Settings

log = logging.getLogger("portal.cache")


def build_response_cache(settings: Settings, app: FastAPI, redis: Redis) -> ResponseCache:
    """Redis with the in-process fallback behind a breaker, keyed for ``app``'s routes.

    Raises LookupError if the declared policy names a route ``app`` lacks (a
    renamed route must not silently stop invalidating).
    """
    prefix = default_prefix(settings)
    table = RouteTable(app.openapi())
    for method, path in table.undeclared:
        log.warning(
            "cache: %s %s is not in portal/cache/policy.py INVALIDATIONS; "
            "each success invalidates the whole cache",
            method,
            path,
        )
    backend = FailoverBackend(
        RedisBackend(redis, timeout_s=settings.cache_redis_timeout_s, prefix=prefix),
        MemoryBackend(
            max_entries=settings.cache_memory_entries,
            max_bytes=settings.cache_memory_bytes,
            max_ttl_s=settings.cache_memory_max_ttl_s,
        ),
        generation_key=f"{prefix}:v:{GENERATION}",
        token_ttl_s=TOKEN_TTL_S,
        probe_interval_s=settings.cache_probe_interval_s,
    )
    return ResponseCache(backend=backend, table=table, settings=settings, prefix=prefix)
