"""The shared backend: Redis through ``redis.asyncio``, one pool per portal process.

Every command is bounded twice: the client's socket timeouts and one bounded
retry (``portal/cache/redis_client.py``), and an overall deadline here, so a
Redis that stops answering costs a request at most ``timeout_s`` before the
breaker (``portal/cache/breaker.py``) switches to the in-process fallback.
Errors become ``BackendUnavailable``; nothing else leaks out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from typing import Any, TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError

from portal.cache.backend import BackendUnavailable, CacheBackend, Fetched, new_token

T = TypeVar("T")

# Compare-and-delete: release the stampede lock only if we still own it (it may
# have expired and been taken by another process meanwhile).
_UNLOCK = (
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
)


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


class RedisBackend(CacheBackend):
    name = "redis"

    def __init__(self, redis: Redis, *, timeout_s: float, prefix: str) -> None:
        self._redis = redis
        self._timeout = timeout_s
        self._unlock = redis.register_script(_UNLOCK)
        self.prefix = prefix

    async def _run(self, command: Awaitable[T]) -> T:
        try:
            async with asyncio.timeout(self._timeout):
                return await command
        except (RedisError, OSError, TimeoutError) as error:
            raise BackendUnavailable(f"Redis: {type(error).__name__}: {error}") from error

    async def get_many(self, keys: Sequence[str]) -> Fetched:
        # decode_responses is off, so the values are bytes (typed bytes | str).
        values = await self._run(self._redis.mget(keys))
        return Fetched([v.encode() if isinstance(v, str) else v for v in values], self.name)

    async def set(self, key: str, value: bytes, ttl_s: float) -> None:
        await self._run(self._redis.set(key, value, px=_ms(ttl_s)))

    async def ensure_tokens(self, keys: Sequence[str], ttl_s: float) -> list[bytes]:
        async def transaction() -> list[Any]:
            # MULTI/EXEC: SET NX then GET of each key, atomic and one round trip
            # (SET ... NX GET would do it in one command, but needs Redis 7).
            async with self._redis.pipeline(transaction=True) as pipe:
                for key in keys:
                    pipe.set(key, new_token(), px=_ms(ttl_s), nx=True)
                    pipe.get(key)
                return list(await pipe.execute())

        replies = await self._run(transaction())
        return [bytes(token) for token in replies[1::2]]

    async def renew_tokens(self, keys: Sequence[str], ttl_s: float) -> None:
        async def pipeline() -> None:
            async with self._redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.set(key, new_token(), px=_ms(ttl_s))
                await pipe.execute()

        if keys:
            await self._run(pipeline())

    async def try_lock(self, key: str, ttl_s: float) -> bytes | None:
        owner = new_token()
        taken = await self._run(self._redis.set(key, owner, px=_ms(ttl_s), nx=True))
        return owner if taken else None

    async def unlock(self, key: str, owner: bytes) -> None:
        await self._run(self._unlock(keys=[key], args=[owner]))

    async def ttl(self, key: str) -> float | None:
        millis: int = await self._run(self._redis.pttl(key))
        if millis == -1:  # exists without a lifetime (not ours: we always set one)
            return float("inf")
        return None if millis < 0 else millis / 1000

    async def ping(self) -> None:
        await self._run(self._redis.ping())

    async def clear(self) -> None:
        # Shared data is never flushed: invalidation renews tokens instead.
        return None
