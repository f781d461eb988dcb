"""Per-worker tallies behind ``GET /api/performance/metrics``: per operation and per route.

Prometheus (``prometheus.py``) holds the same counts in coarse buckets, summed
across workers; these hold fine buckets for honest percentiles in one worker.
Every key is bounded: operation names come from code, routes are templates,
and past ``MAX_KEYS`` new names share one ``other`` entry, so a bug that mints
names cannot grow memory without limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from portal.monitoring.histogram import LatencyHistogram

MAX_KEYS = 500
OTHER = "other"


class Describable(Protocol):
    def describe(self) -> dict[str, Any]: ...


S = TypeVar("S", bound=Describable)


class OperationStats:
    """One operation's statements: count, errors, slow ones, time, by route."""

    __slots__ = ("errors", "latency", "routes", "slow")

    def __init__(self) -> None:
        self.latency = LatencyHistogram()
        self.errors = 0
        self.slow = 0
        self.routes: dict[str, int] = {}

    def describe(self) -> dict[str, Any]:
        return {
            **self.latency.summary(),
            "errors": self.errors,
            "slow": self.slow,
            "routes": dict(sorted(self.routes.items(), key=lambda item: -item[1])),
        }


class RouteStats:
    """One (method, route template): requests by status class and their latency."""

    __slots__ = ("latency", "statuses")

    def __init__(self) -> None:
        self.latency = LatencyHistogram()
        self.statuses: dict[str, int] = {}

    def describe(self) -> dict[str, Any]:
        return {**self.latency.summary(), "statuses": dict(sorted(self.statuses.items()))}


class Book(Generic[S]):
    """Name → stats, created on first use and capped at ``MAX_KEYS`` names."""

    def __init__(self, factory: Callable[[], S]) -> None:
        self._factory = factory
        self.entries: dict[str, S] = {}

    def get(self, name: str) -> S:
        stats = self.entries.get(name)
        if stats is None:
            if len(self.entries) >= MAX_KEYS:
                name = OTHER
            stats = self.entries.get(name)
            if stats is None:
                stats = self.entries[name] = self._factory()
        return stats

    def describe(self) -> dict[str, dict[str, Any]]:
        return {name: self.entries[name].describe() for name in sorted(self.entries)}
