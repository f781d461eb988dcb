"""The portal's Prometheus metrics: one registry per app, multiprocess-aware.

Nothing is registered at import: ``PortalMetrics()`` is built by the app
factory, so two portals in one process (a benchmark's arms) do not collide.

With ``PROMETHEUS_MULTIPROC_DIR`` set before prometheus_client was imported
(``perfproof serve --workers N`` does it), values live in shared files
and a scrape of any worker returns the sum over all of them; counters and
histograms add up, process gauges carry a ``pid`` label, pool gauges are
summed over live workers and Redis gauges report the most recent reading.
Without it (one process), the standard ``process_*`` collector is added too.

The two latency histograms are counted by ``latency_series.py`` (no lock,
no prometheus_client call per request) and handed to prometheus_client at
scrape time; the rarer counters and the gauges are plain prometheus_client.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
    multiprocess,
    values,
)

from portal.monitoring.latency_series import LatencySeries, SeriesCollector
from portal.monitoring.multiproc import ENV

log = logging.getLogger("portal.monitoring")

CACHE_EVENTS = ("hits", "misses", "bypasses", "coalesced", "fallbacks", "stores", "invalidations")

CONTENT_TYPE = CONTENT_TYPE_LATEST


def multiprocess_active() -> bool:
    """Whether prometheus_client writes to shared files in this process.

    It decides once, when first imported; a variable set later changes
    nothing, and pretending otherwise would export one worker's numbers as
    everyone's.
    """
    if not os.environ.get(ENV):
        return False
    if values.ValueClass is values.MutexValue:
        log.warning("%s was set after prometheus_client was imported: single-process metrics", ENV)
        return False
    return True


class PortalMetrics:
    """Every metric of one portal, and its exposition."""

    def __init__(self) -> None:
        self.multiprocess = multiprocess_active()
        self.registry = CollectorRegistry()
        # In multiprocess mode metrics must not sit in the exposition registry
        # (their values come back through the collector, summed).
        owner: CollectorRegistry | None = self.registry
        if self.multiprocess:
            multiprocess.MultiProcessCollector(self.registry)  # type: ignore[no-untyped-call]
            owner = None
        else:
            ProcessCollector(registry=self.registry)
            PlatformCollector(registry=self.registry)

        def gauge(name: str, doc: str, mode: str, labels: tuple[str, ...] = ()) -> Gauge:
            return Gauge(name, doc, labels, registry=owner, multiprocess_mode=mode)  # type: ignore[arg-type]

        self.statement_latency = LatencySeries(
            "portal_db_statement_duration_seconds",
            "Database statements by portal operation (client side, round trip included).",
            ("operation",),
        )
        self.request_latency = LatencySeries(
            "http_request_duration_seconds",
            "HTTP requests by route template, method and status class (whole response sent).",
            ("method", "route", "status"),
        )
        self._natives: list[tuple[LatencySeries, Histogram]] = []
        if self.multiprocess:
            self._natives = [
                (s, s.native()) for s in (self.statement_latency, self.request_latency)
            ]
        else:
            self.registry.register(SeriesCollector(self.statement_latency, self.request_latency))
        self.statement_errors = Counter(
            "portal_db_statement_errors",
            "Database statements that raised, by portal operation.",
            ["operation"],
            registry=owner,
        )
        self.slow_statements = Counter(
            "portal_db_slow_statements",
            "Statements slower than PORTAL_SLOW_QUERY_MS, by portal operation.",
            ["operation"],
            registry=owner,
        )
        self.cache_events = Counter(
            "portal_cache_events",
            "Response cache events by namespace: hits, misses, bypasses, coalesced, fallbacks, "
            "stores, invalidations (from the cache layer's own counters).",
            ["namespace", "event"],
            registry=owner,
        )
        self.process = {
            name: gauge(metric, doc, "liveall")
            for name, metric, doc in (
                (
                    "cpu_percent",
                    "portal_process_cpu_percent",
                    "CPU since the last sample, % of a core.",
                ),
                ("rss_bytes", "portal_process_resident_memory_bytes", "Resident memory."),
                ("open_fds", "portal_process_open_fds", "Open file descriptors."),
                (
                    "open_connections",
                    "portal_process_open_connections",
                    "Open sockets: clients, pool, Redis, listener.",
                ),
                (
                    "loop_lag_s",
                    "portal_event_loop_lag_seconds",
                    "Event-loop lag at the last probe.",
                ),
                (
                    "loop_lag_max_s",
                    "portal_event_loop_lag_max_seconds",
                    "Largest lag since the last sample.",
                ),
            )
        }
        self.pool = {
            name: gauge(f"portal_db_pool_{name}", doc, "livesum")
            for name, doc in (
                ("size", "Configured pool size (persistent connections)."),
                ("checked_out", "Connections in use."),
                ("checked_in", "Idle connections in the pool."),
                ("overflow", "Connections beyond pool_size (negative: not yet opened)."),
            )
        }
        self.redis = {
            name: gauge(f"portal_redis_{name}", doc, "livemostrecent")
            for name, doc in (
                ("up", "1 when Redis answered INFO at the last sample."),
                ("used_memory_bytes", "Redis used_memory (INFO memory)."),
                ("keyspace_hits", "Redis keyspace_hits since its start (INFO stats)."),
                ("keyspace_misses", "Redis keyspace_misses since its start (INFO stats)."),
            )
        }
        self._cache_seen: dict[tuple[str, str], int] = {}

    def sync_cache_counters(self, snapshot: Mapping[str, Mapping[str, Any]]) -> None:
        """Advance the cache counters to the cache layer's totals (it counts; we mirror).

        ``snapshot`` is ``{namespace: {event: count}}`` as ``CacheStats.snapshot()``
        returns it; the ``total`` row is skipped (Prometheus sums by itself).
        """
        for namespace, counters in snapshot.items():
            if namespace == "total":
                continue
            for event in CACHE_EVENTS:
                value = counters.get(event)
                if not isinstance(value, int):
                    continue
                key = (namespace, event)
                delta = value - self._cache_seen.get(key, 0)
                if delta > 0:
                    self.cache_events.labels(namespace, event).inc(delta)
                self._cache_seen[key] = value

    def set_gauges(self, gauges: Mapping[str, Gauge], readings: Mapping[str, Any]) -> None:
        for name, gauge in gauges.items():
            value = readings.get(name)
            if isinstance(value, int | float) and not isinstance(value, bool):
                gauge.set(value)
            elif isinstance(value, bool):
                gauge.set(1 if value else 0)

    def flush(self) -> None:
        """Multiprocess mode: move the latency counts into the shared files."""
        for series, native in self._natives:
            series.flush_into(native)

    def render(self) -> bytes:
        self.flush()
        return generate_latest(self.registry)

    def close(self) -> None:
        """Drop this worker's live gauges from the shared files (multiprocess mode)."""
        if self.multiprocess:
            multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
