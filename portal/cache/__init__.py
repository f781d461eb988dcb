"""The Redis cache of API responses, with an in-process fallback.

``policy.py`` declares what is cached and what each write invalidates;
``middleware.py`` applies it to requests; ``service.py`` holds keys, lookups
and invalidation; the backends (``redis_backend.py``, ``memory.py``, and the
breaker in ``breaker.py`` that switches between them) share one interface in
``backend.py``; ``switch.py`` turns reads on and off at run time. Nothing connects at import.
"""

from portal.cache.backend import BackendUnavailable, CacheBackend, Fetched
from portal.cache.breaker import FailoverBackend
from portal.cache.factory import build_response_cache
from portal.cache.memory import MemoryBackend
from portal.cache.middleware import BYPASS_HEADER, ResponseCacheMiddleware
from portal.cache.policy import CACHED_ROUTES, INVALIDATIONS, NAMESPACES, CachedRoute, Token
from portal.cache.redis_backend import RedisBackend
from portal.cache.redis_client import create_redis
from portal.cache.service import ResponseCache
from portal.cache.stats import CacheStats, Counters
from portal.cache.switch import CacheSwitchListener, SwitchKeys, announce_mode, confirmations

__all__ = [
    "BYPASS_HEADER",
    "CACHED_ROUTES",
    "INVALIDATIONS",
    "NAMESPACES",
    "BackendUnavailable",
    "CacheBackend",
    "CacheStats",
    "CacheSwitchListener",
    "CachedRoute",
    "Counters",
    "FailoverBackend",
    "Fetched",
    "MemoryBackend",
    "RedisBackend",
    "ResponseCache",
    "ResponseCacheMiddleware",
    "SwitchKeys",
    "Token",
    "announce_mode",
    "build_response_cache",
    "confirmations",
    "create_redis",
]
