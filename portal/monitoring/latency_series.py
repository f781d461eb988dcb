"""Prometheus latency histograms counted by us, exported at scrape time.

``Histogram.observe`` takes a lock and walks the bucket list on every call;
on a cache hit (~400 µs of CPU in all) that was a fifth of monitoring's cost.
Here a request appends its duration to a buffer (on the worker's event loop:
no lock needed) that is counted into buckets in bulk, and the numbers reach
Prometheus only when asked:

* one process: a collector builds the histogram families from the counts
  at each scrape (no per-request work in prometheus_client at all);
* multiprocess mode: the counts are added, as deltas, into prometheus_client
  histograms every second and before each scrape, so the shared files that
  any worker's ``/metrics`` sums stay at most a second behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from prometheus_client import Histogram
from prometheus_client.core import HistogramMetricFamily
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

from portal.monitoring.histogram import BufferedBuckets

# Seconds. The statement buckets straddle the slow-query threshold (0.1 s).
LATENCY_BUCKETS = (
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
)  # fmt: skip
_LE = (*(floatToGoString(b) for b in LATENCY_BUCKETS), "+Inf")  # type: ignore[no-untyped-call]


class BucketCounts(BufferedBuckets):
    """One labelled series: counts per bucket (not cumulative), and their sum."""

    __slots__ = ("_counts", "_total", "flushed", "flushed_total")
    bounds = np.array(LATENCY_BUCKETS)

    def __init__(self) -> None:
        super().__init__()
        self._counts = np.zeros(len(LATENCY_BUCKETS) + 1, dtype=np.int64)  # the last is +Inf
        self._total = 0.0
        self.flushed = [0] * len(self._counts)
        self.flushed_total = 0.0

    def _absorb(self, values: np.ndarray, index: np.ndarray) -> None:
        self._counts += np.bincount(index, minlength=len(self._counts))
        self._total += float(values.sum())

    @property
    def counts(self) -> list[int]:
        self.fold()
        return [int(n) for n in self._counts]

    @property
    def total(self) -> float:
        self.fold()
        return self._total

    def cumulative(self) -> list[tuple[str, float]]:
        running = 0
        buckets: list[tuple[str, float]] = []
        for le, count in zip(_LE, self.counts, strict=True):
            running += count
            buckets.append((le, running))
        return buckets


class LatencySeries:
    """A histogram family: label values → BucketCounts, created on first use."""

    def __init__(self, name: str, documentation: str, labels: tuple[str, ...]) -> None:
        self.name = name
        self.documentation = documentation
        self.labels = labels
        self.series: dict[tuple[str, ...], BucketCounts] = {}

    def series_for(self, *values: str) -> BucketCounts:
        """The series of these label values (callers keep it: the lookup is not free)."""
        found = self.series.get(values)
        if found is None:
            found = self.series[values] = BucketCounts()
        return found

    def family(self) -> HistogramMetricFamily:
        family = HistogramMetricFamily(self.name, self.documentation, labels=list(self.labels))
        for values, counts in list(self.series.items()):
            family.add_metric(list(values), counts.cumulative(), counts.total)
        return family

    def native(self) -> Histogram:
        """The prometheus_client histogram that multiprocess mode writes to shared files."""
        return Histogram(
            self.name, self.documentation, self.labels, buckets=LATENCY_BUCKETS, registry=None
        )

    def flush_into(self, native: Histogram) -> None:
        """Add what was counted since the last flush to ``native``.

        prometheus_client has no public "add n observations to this bucket";
        its histogram child keeps one value per bucket (``_buckets``) and the
        sum (``_sum``), each with ``inc``. tests/portal/monitoring checks that
        a flush exports exactly what the same ``observe`` calls would.
        """
        for values, counts in list(self.series.items()):
            current = list(counts.counts)
            total = counts.total
            child: Any = native.labels(*values)
            for index, (now, before) in enumerate(zip(current, counts.flushed, strict=True)):
                if now > before:
                    child._buckets[index].inc(now - before)
            if total != counts.flushed_total:
                child._sum.inc(total - counts.flushed_total)
            counts.flushed = current
            counts.flushed_total = total


class SeriesCollector(Collector):
    """Exposes ``LatencySeries`` at scrape time (one-process mode)."""

    def __init__(self, *families: LatencySeries) -> None:
        self.families = families

    def collect(self) -> Iterator[HistogramMetricFamily]:
        for series in self.families:
            yield series.family()
