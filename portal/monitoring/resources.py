"""What the worker costs and what it leans on: CPU, memory, connections, loop lag, pool, Redis.

Sampled in a background task every ``monitoring_sample_s`` (and freshly when
an endpoint asks), never on a request's path: the samples read /proc and
Redis INFO is a round trip. Event-loop lag comes from a probe
that sleeps a fixed interval and measures how late it wakes; a loop blocked by
a long synchronous call shows up there first.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

import psutil
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("portal.monitoring")

LAG_PROBE_S = 0.25
REDIS_TIMEOUT_S = 1.0

CacheCounters = Callable[[], Mapping[str, Mapping[str, Any]]]
"""The cache layer's counters hook: ``{namespace: {"hits": n, "misses": n, ...}}``."""


def cache_counters_of(cache: object | None) -> CacheCounters | None:
    """The counters hook of the response cache, if it has one (``cache.stats.snapshot``).

    Looked up by shape, not type, so monitoring does not depend on the cache
    package, and a cache without counters (or none) just yields no cache metrics.
    """
    snapshot = getattr(getattr(cache, "stats", None), "snapshot", None)
    return snapshot if callable(snapshot) else None


class LoopLagProbe:
    """Sleeps ``LAG_PROBE_S`` again and again and records how late each wake-up is."""

    def __init__(self) -> None:
        self.last_s = 0.0
        self.max_s = 0.0  # since the last ``take_max``

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            start = loop.time()
            await asyncio.sleep(LAG_PROBE_S)
            lag = max(loop.time() - start - LAG_PROBE_S, 0.0)
            self.last_s = lag
            self.max_s = max(self.max_s, lag)

    def take_max(self) -> float:
        value, self.max_s = self.max_s, self.last_s
        return value


def pool_readings(engine: AsyncEngine) -> dict[str, int | str | None]:
    """The pool's own counters; a pool without them (NullPool) reports None."""
    pool = engine.sync_engine.pool
    readings: dict[str, int | str | None] = {"pool": type(pool).__name__}
    for name, method in (
        ("size", "size"),
        ("checked_out", "checkedout"),
        ("checked_in", "checkedin"),
        ("overflow", "overflow"),
    ):
        reader = getattr(pool, method, None)
        readings[name] = reader() if callable(reader) else None
    return readings


async def redis_readings(redis: Redis) -> dict[str, Any]:
    """Memory and keyspace hit/miss counters from Redis's own INFO (server-wide)."""
    try:
        info = await asyncio.wait_for(redis.info(), REDIS_TIMEOUT_S)
    except Exception as error:
        return {"up": False, "error": f"{type(error).__name__}: {error}"[:200]}
    hits = int(info.get("keyspace_hits", 0))
    misses = int(info.get("keyspace_misses", 0))
    return {
        "up": True,
        "version": info.get("redis_version"),
        "used_memory_bytes": int(info.get("used_memory", 0)),
        "maxmemory_bytes": int(info.get("maxmemory", 0)),
        "keyspace_hits": hits,
        "keyspace_misses": misses,
        "keyspace_hit_ratio": round(hits / (hits + misses), 4) if hits + misses else None,
        "evicted_keys": int(info.get("evicted_keys", 0)),
        "connected_clients": int(info.get("connected_clients", 0)),
    }


def open_sockets() -> int | None:
    """Sockets this process holds: client connections, pool, Redis, the listener.

    Read from /proc/self/fd (a readlink per descriptor, well under a
    millisecond); psutil's per-connection listing parses the whole machine's
    /proc/net/tcp instead, ~20 ms on a busy host, for detail we do not show.
    """
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:
        return None
    count = 0
    for name in names:
        try:
            count += os.readlink(f"/proc/self/fd/{name}").startswith("socket:")
        except OSError:
            continue  # closed meanwhile
    return count


class ProcessSampler:
    """This worker process as the OS sees it."""

    def __init__(self) -> None:
        self._process = psutil.Process(os.getpid())
        self._process.cpu_percent(None)  # primes the interval

    def readings(self) -> dict[str, float | int | None]:
        process = self._process
        with process.oneshot():
            cpu = process.cpu_percent(None)
            rss = process.memory_info().rss
            fds = process.num_fds() if hasattr(process, "num_fds") else None
        connections = open_sockets()
        return {
            "pid": process.pid,
            "cpu_percent": cpu,
            "rss_bytes": rss,
            "open_fds": fds,
            "open_connections": connections,
        }


class ResourceSampler:
    """Owns the background task: samples every ``interval_s`` and hands readings on."""

    def __init__(
        self,
        *,
        interval_s: float,
        engine: AsyncEngine,
        redis: Redis,
        publish: Callable[[dict[str, Any]], None],
    ) -> None:
        self.interval_s = interval_s
        self.engine = engine
        self.redis = redis
        self.publish = publish
        self.process = ProcessSampler()
        self.lag = LoopLagProbe()
        self.latest: dict[str, Any] = {}
        self._tasks: list[asyncio.Task[None]] = []

    async def sample(self) -> dict[str, Any]:
        """Fresh readings of everything (also what the JSON endpoint shows)."""
        readings = {
            "sampled_at": time.time(),
            "process": self.process.readings(),
            "event_loop": {"lag_s": self.lag.last_s, "lag_max_s": self.lag.take_max()},
            "database_pool": pool_readings(self.engine),
            "redis": await redis_readings(self.redis),
        }
        self.latest = readings
        self.publish(readings)
        return readings

    async def _sample_forever(self) -> None:
        while True:
            try:
                await self.sample()
            except Exception:  # a failed sample must not end the sampling
                log.exception("resource sample failed")
            await asyncio.sleep(self.interval_s)

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self.lag.run(), name="portal-loop-lag"),
            asyncio.create_task(self._sample_forever(), name="portal-resources"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
