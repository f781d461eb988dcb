"""Failover between Redis and the in-process LRU: a circuit breaker behind the same interface.

Closed: every operation goes to Redis. The first one that fails or times out
opens the breaker and is answered by the fallback, so an outage costs one
request at most one Redis timeout; later requests go straight to the fallback.
A background task pings Redis every ``probe_interval_s`` and closes the breaker
when it answers again, with no restart.

Stale data after the outage is prevented on both sides:

* Redis missed the invalidations made while it was away. They are remembered
  (token keys, bounded) and replayed before the breaker closes; past the bound,
  the global generation token is renewed instead, which invalidates everything.
  Until the replay has succeeded the breaker stays open.
* The fallback's entries may miss invalidations made through other workers, and
  it sees none made while Redis served. It is emptied each time the breaker
  opens, so it never serves anything cached before the current outage.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from portal.cache.backend import BackendUnavailable, CacheBackend, Fetched

log = logging.getLogger("portal.cache")

T = TypeVar("T")

# Past this many distinct lost invalidations, renewing the generation (one key)
# is cheaper than replaying them and just as correct.
PENDING_MAX = 10_000


class FailoverBackend(CacheBackend):
    """``primary`` while it answers, ``fallback`` while it does not."""

    def __init__(
        self,
        primary: CacheBackend,
        fallback: CacheBackend,
        *,
        generation_key: str,
        token_ttl_s: float,
        probe_interval_s: float,
    ) -> None:
        self.primary = primary
        self.fallback = fallback
        self._generation_key = generation_key
        self._token_ttl = token_ttl_s
        self._probe_interval = probe_interval_s
        self._open = False
        self._pending: set[str] = set()
        self._pending_overflow = False
        self._probe: asyncio.Task[None] | None = None
        self.trips = 0
        self.recoveries = 0
        self.opened_at: float | None = None
        self.last_error = ""

    @property
    def name(self) -> str:  # type: ignore[override]
        """The backend now serving (for reports only; callers never branch on it)."""
        return self.fallback.name if self._open else self.primary.name

    @property
    def is_open(self) -> bool:
        return self._open

    def describe(self) -> dict[str, object]:
        """The breaker's state, for the stats endpoint and the monitoring issue."""
        return {
            "serving": self.name,
            "state": "open" if self._open else "closed",
            "trips": self.trips,
            "recoveries": self.recoveries,
            "open_for_s": round(time.monotonic() - self.opened_at, 3) if self.opened_at else 0.0,
            "pending_invalidations": len(self._pending),
            "pending_overflow": self._pending_overflow,
            "last_error": self.last_error,
        }

    async def _either(
        self,
        on_primary: Callable[[], Awaitable[T]],
        on_fallback: Callable[[], Awaitable[T]],
    ) -> T:
        if not self._open:
            try:
                return await on_primary()
            except BackendUnavailable as error:
                await self._trip(error)
        return await on_fallback()

    async def _trip(self, error: BackendUnavailable) -> None:
        if self._open:
            return
        self._open = True
        self.trips += 1
        self.opened_at = time.monotonic()
        self.last_error = str(error)
        await self.fallback.clear()
        log.warning("cache: Redis unavailable (%s); serving from the in-process fallback", error)
        if self._probe is None or self._probe.done():
            self._probe = asyncio.create_task(self._probe_until_back(), name="cache-probe")

    def _remember(self, keys: Sequence[str]) -> None:
        if self._pending_overflow:
            return
        self._pending.update(keys)
        if len(self._pending) > PENDING_MAX:
            self._pending.clear()
            self._pending_overflow = True

    async def _probe_until_back(self) -> None:
        while self._open:
            await asyncio.sleep(self._probe_interval)
            try:
                await self.primary.ping()
                await self._replay()
            except BackendUnavailable as error:
                self.last_error = str(error)
                continue
            self._open = False
            self.opened_at = None
            self.recoveries += 1
            log.warning("cache: Redis is back; serving from Redis again")

    async def _replay(self) -> None:
        """Apply the invalidations Redis missed, including any made while replaying.

        The breaker closes right after this returns, with no await in between,
        so no invalidation can slip between the last replay and the switch.
        """
        while self._pending or self._pending_overflow:
            overflow = self._pending_overflow
            batch = [self._generation_key] if overflow else sorted(self._pending)
            self._pending_overflow = False
            try:
                await self.primary.renew_tokens(batch, self._token_ttl)
            except BackendUnavailable:
                self._pending_overflow = self._pending_overflow or overflow
                raise
            self._pending.difference_update(batch)

    # -- the CacheBackend interface ------------------------------------------

    async def get_many(self, keys: Sequence[str]) -> Fetched:
        return await self._either(
            lambda: self.primary.get_many(keys), lambda: self.fallback.get_many(keys)
        )

    async def set(self, key: str, value: bytes, ttl_s: float) -> None:
        await self._either(
            lambda: self.primary.set(key, value, ttl_s),
            lambda: self.fallback.set(key, value, ttl_s),
        )

    async def ensure_tokens(self, keys: Sequence[str], ttl_s: float) -> list[bytes]:
        return await self._either(
            lambda: self.primary.ensure_tokens(keys, ttl_s),
            lambda: self.fallback.ensure_tokens(keys, ttl_s),
        )

    async def renew_tokens(self, keys: Sequence[str], ttl_s: float) -> None:
        if not self._open:
            try:
                await self.primary.renew_tokens(keys, ttl_s)
                return
            except BackendUnavailable as error:
                await self._trip(error)
        # Redis may or may not have applied it: replay it when Redis is back.
        self._remember(keys)
        await self.fallback.renew_tokens(keys, ttl_s)

    async def try_lock(self, key: str, ttl_s: float) -> bytes | None:
        return await self._either(
            lambda: self.primary.try_lock(key, ttl_s), lambda: self.fallback.try_lock(key, ttl_s)
        )

    async def unlock(self, key: str, owner: bytes) -> None:
        # A lock taken on one backend is released on the same one, or expires.
        backend = self.fallback if self._open else self.primary
        with contextlib.suppress(BackendUnavailable):
            await backend.unlock(key, owner)

    async def ttl(self, key: str) -> float | None:
        return await self._either(lambda: self.primary.ttl(key), lambda: self.fallback.ttl(key))

    async def ping(self) -> None:
        await self._either(self.primary.ping, self.fallback.ping)

    async def clear(self) -> None:
        await self.fallback.clear()

    async def aclose(self) -> None:
        if self._probe is not None:
            self._probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._probe
        await self.primary.aclose()
        await self.fallback.aclose()
