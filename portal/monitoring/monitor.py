"""One portal's monitoring: built by the app factory, started and stopped by its lifespan.

It ties the parts together: statement timings (``db_events``) and request
timings (``http``) go to the per-worker tallies (``stats``) and to Prometheus
(``prometheus``); slow statements to ``slow``; resource readings (``resources``)
to gauges. ``PORTAL_MONITORING=off`` builds none of it: no listener, no SQL
comment, no middleware, so the "off" arm of the cost measurement is the plain
portal.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import Scope

from portal.monitoring.database_stats import ensure_pg_stat_statements
from portal.monitoring.db_events import StatementTimer, without_comment
from portal.monitoring.histogram import LatencyHistogram
from portal.monitoring.http import METHODS, STATUS_CLASSES, RouteTemplates
from portal.monitoring.latency_series import BucketCounts
from portal.monitoring.operations import current_request
from portal.monitoring.prometheus import PortalMetrics
from portal.monitoring.resources import (
    CacheCounters,
    ResourceSampler,
    cache_counters_of,
)
from portal.monitoring.slow import SlowStatementLog
from portal.monitoring.stats import Book, OperationStats, RouteStats
from portal.settings import Settings

NO_ROUTE = "-"  # statements outside any request (start-up, background jobs)
FLUSH_S = 1.0  # multiprocess mode: how stale another worker's latencies may be in /metrics
MAX_REQUEST_SLOTS = 10_000  # (method, route, status) triples; all bounded, this is a backstop

# A request's (latency histogram, statuses dict, status class, Prometheus series).
_RequestSlot = tuple[LatencyHistogram, dict[str, int], str, BucketCounts]


class Monitor:
    """Everything monitoring holds for one app; one event loop (the worker's) drives it.

    Tallies are plain attributes bumped without locks: listeners and the
    middleware all run on the worker's event loop thread.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.started_at = time.time()
        self.metrics = PortalMetrics()
        self.operations: Book[OperationStats] = Book(OperationStats)
        self.routes: Book[RouteStats] = Book(RouteStats)
        self.templates = RouteTemplates()
        self.slow = SlowStatementLog(
            threshold_s=settings.slow_query_ms / 1000,
            size=settings.slow_query_log_size,
            explain=settings.slow_query_explain,
        )
        self.statements = StatementTimer(self.record_statement)
        self.sampler: ResourceSampler | None = None
        self.cache_counters: CacheCounters | None = None
        self.pg_stat_statements: str | None = "not checked yet"
        self._request_slots: dict[tuple[str, str, int], _RequestSlot] = {}
        self._hit_slots: dict[str, _RequestSlot] = {}  # bounded: the cached routes
        self._statement_slots: dict[str, tuple[OperationStats, BucketCounts]] = {}
        self._tasks: list[asyncio.Task[None]] = []

    # -- life cycle -------------------------------------------------------------

    def attach(self, engine: AsyncEngine) -> None:
        """Time ``engine``'s statements from now on (before start-up queries run)."""
        self.statements.attach(engine)
        self.slow.engine = engine

    async def start(self, *, engine: AsyncEngine, redis: Redis, cache: object | None) -> None:
        """Start sampling; ``cache`` is the response cache, whose counters we mirror."""
        self.cache_counters = cache_counters_of(cache)
        self.sampler = ResourceSampler(
            interval_s=self.settings.monitoring_sample_s,
            engine=engine,
            redis=redis,
            publish=self._publish_resources,
        )
        self.sampler.start()
        # Off the start-up path: a slow or absent database must not delay serving.
        self._tasks = [asyncio.create_task(self._enable_statements_view(engine))]
        if self.metrics.multiprocess:
            self._tasks.append(asyncio.create_task(self._flush_forever()))

    async def _enable_statements_view(self, engine: AsyncEngine) -> None:
        self.pg_stat_statements = await ensure_pg_stat_statements(engine)

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_S)
            self.metrics.flush()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.metrics.flush()
        if self.sampler is not None:
            await self.sampler.stop()
        await self.slow.aclose()
        self.statements.detach()
        self.metrics.close()

    # -- recording (hot paths) --------------------------------------------------

    def record_statement(
        self, operation: str, seconds: float, sql: str, parameters: Any, error: str | None
    ) -> None:
        slot = self._statement_slots.get(operation)
        if slot is None:
            slot = self._statement_slots[operation] = (
                self.operations.get(operation),
                self.metrics.statement_latency.series_for(operation),
            )
        stats, series = slot
        stats.latency.observe(seconds)
        series.observe(seconds)
        request = current_request()
        route = self.templates.template(request.scope) if request is not None else NO_ROUTE
        stats.routes[route] = stats.routes.get(route, 0) + 1
        if error is not None:
            stats.errors += 1
            self.metrics.statement_errors.labels(operation).inc()
        if seconds >= self.slow.threshold_s:
            stats.slow += 1
            self.metrics.slow_statements.labels(operation).inc()
            self.slow.record(
                operation=operation,
                seconds=seconds,
                sql=without_comment(sql),
                parameters=parameters,
                route=None if request is None else f"{request.scope['method']} {route}",
                user_id=None if request is None else request.user_id,
                error=error,
            )

    def record_request(self, scope: Scope, status: int, seconds: float) -> None:
        # The hot path of a cache hit: one template lookup, one dict lookup for
        # everything else, three increments (the whole middleware: ~3 µs).
        key = (scope["method"], self.templates.template(scope), status)
        slot = self._request_slots.get(key)
        if slot is None:
            slot = self._request_slot(*key)
        latency, statuses, status_class, series = slot
        latency.observe(seconds)
        statuses[status_class] += 1
        series.observe(seconds)

    def record_hit(self, route: str, seconds: float) -> None:
        """A ``GET`` of ``route`` (a template) answered 200 from the response cache.

        The cache layer knows the template, so nothing is looked up from the
        scope: on the cheapest request the portal serves, every step counts.
        """
        slot = self._hit_slots.get(route)
        if slot is None:
            slot = self._hit_slots[route] = self._request_slot("GET", route, 200)
        latency, statuses, status_class, series = slot
        latency.observe(seconds)
        statuses[status_class] += 1
        series.observe(seconds)

    def _request_slot(self, method: str, route: str, status: int) -> _RequestSlot:
        if method not in METHODS:
            method = "OTHER"
        status_class = STATUS_CLASSES.get(status // 100, "5xx")
        stats = self.routes.get(f"{method} {route}")
        stats.statuses.setdefault(status_class, 0)
        slot = (
            stats.latency,
            stats.statuses,
            status_class,
            self.metrics.request_latency.series_for(method, route, status_class),
        )
        if len(self._request_slots) < MAX_REQUEST_SLOTS:
            self._request_slots[(method, route, status)] = slot
        return slot

    # -- reading ------------------------------------------------------------------

    def _publish_resources(self, readings: dict[str, Any]) -> None:
        metrics = self.metrics
        process = readings["process"]
        loop = readings["event_loop"]
        metrics.set_gauges(
            metrics.process,
            {**process, "loop_lag_s": loop["lag_s"], "loop_lag_max_s": loop["lag_max_s"]},
        )
        metrics.set_gauges(metrics.pool, readings["database_pool"])
        metrics.set_gauges(metrics.redis, readings["redis"])
        self._sync_cache_counters()

    def _sync_cache_counters(self) -> dict[str, Any] | None:
        if self.cache_counters is None:
            return None
        snapshot = dict(self.cache_counters())
        self.metrics.sync_cache_counters(snapshot)
        return snapshot

    async def prometheus_text(self) -> bytes:
        """The exposition; this worker's readings are refreshed first."""
        if self.sampler is not None:
            await self.sampler.sample()
        return self.metrics.render()

    async def summary(self) -> dict[str, Any]:
        """This worker's JSON summary (``GET /api/performance/metrics``)."""
        resources = await self.sampler.sample() if self.sampler is not None else None
        return {
            "monitoring": "on",
            "worker": {
                "pid": os.getpid(),
                "started_at": self.started_at,
                "uptime_s": round(time.time() - self.started_at, 3),
                "prometheus_multiprocess": self.metrics.multiprocess,
            },
            "slow_query_ms": self.settings.slow_query_ms,
            "operations": self.operations.describe(),
            "routes": self.routes.describe(),
            "slow_queries": self.slow.recent(),
            "resources": resources,
            "cache": self._sync_cache_counters(),
            "pg_stat_statements": {
                "available": self.pg_stat_statements is None,
                "reason": self.pg_stat_statements,
            },
        }
