"""Latency counted by us reaches Prometheus exactly as prometheus_client's own observe would.

Both export paths are checked against a plain ``Histogram.observe``: the
scrape-time collector (one process) and the delta flush into a native
histogram (multiprocess mode), which relies on prometheus_client internals
and so must fail here, not in production, if those change.
"""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from portal.monitoring.latency_series import LATENCY_BUCKETS, LatencySeries, SeriesCollector

TIMINGS = [0.0003, 0.002, 0.002, 0.0025, 0.07, 0.3, 12.0, 0.1]


def samples(registry: CollectorRegistry) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = generate_latest(registry).decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if not s.name.endswith("_created")
    }


def reference() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    registry = CollectorRegistry()
    histogram = Histogram("x_seconds", "x", ["op"], buckets=LATENCY_BUCKETS, registry=registry)
    for seconds in TIMINGS:
        histogram.labels("a").observe(seconds)
    return samples(registry)


def assert_same(got: dict, want: dict) -> None:  # type: ignore[type-arg]
    assert got.keys() == want.keys()
    for key, value in want.items():
        assert got[key] == pytest.approx(value), key


def test_the_scrape_time_collector_exports_what_observe_would() -> None:
    series = LatencySeries("x_seconds", "x", ("op",))
    for seconds in TIMINGS:
        series.series_for("a").observe(seconds)
    registry = CollectorRegistry()
    registry.register(SeriesCollector(series))
    assert_same(samples(registry), reference())


def test_flushing_deltas_into_a_native_histogram_exports_what_observe_would() -> None:
    series = LatencySeries("x_seconds", "x", ("op",))
    registry = CollectorRegistry()
    native = Histogram("x_seconds", "x", ["op"], buckets=LATENCY_BUCKETS, registry=registry)
    counts = series.series_for("a")
    for seconds in TIMINGS[:3]:
        counts.observe(seconds)
    series.flush_into(native)
    for seconds in TIMINGS[3:]:
        counts.observe(seconds)
    series.flush_into(native)
    series.flush_into(native)  # nothing new: nothing added twice
    assert_same(samples(registry), reference())
