"""The portal's one Redis client: lazy, bounded pool, short timeouts, one retry.

redis-py's default retry policy (several retries with exponential backoff up
to seconds) would hold a request long after Redis stopped answering; here one
immediate retry absorbs a connection that died while idle in the pool (Redis
restarted), and anything worse is the breaker's business. Nothing connects
until the first command.
"""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError, TimeoutError

from portal.settings import Settings


def create_redis(settings: Settings) -> Redis:
    """A client for ``settings.redis_url`` shared by the cache and the health check."""
    timeout = settings.cache_redis_timeout_s
    pool = BlockingConnectionPool.from_url(
        settings.redis_url,
        max_connections=settings.cache_redis_max_connections,
        timeout=timeout,  # wait this long for a free pooled connection
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        retry=Retry(NoBackoff(), retries=1),
        retry_on_error=[ConnectionError, TimeoutError],
        client_name="perfproof-portal",
    )
    return Redis.from_pool(pool)
