"""Percentiles from the bucketed histogram agree with the exact ones on known timings.

The timings are synthetic (generated here, not measured), so the true
percentiles are known exactly. Buckets grow by 2^(1/8), so any percentile is
within one bucket (≤ 9.05 % relative) of the truth by construction; the
assertions use 5 %, which interpolation inside the bucket comfortably meets,
and demand exactness where the histogram keeps exact values (max, count, sum,
and any distribution of identical values).
"""

from __future__ import annotations

import math

import pytest

from portal.monitoring.histogram import BOUNDS, FOLD_AT, RELATIVE_RESOLUTION, LatencyHistogram


def exact_percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile: the smallest value with at least q·n values at or below it."""
    ordered = sorted(values)
    return ordered[max(math.ceil(q * len(ordered)), 1) - 1]


def filled(values: list[float]) -> LatencyHistogram:
    histogram = LatencyHistogram()
    histogram.observe_all(values)
    return histogram


@pytest.mark.parametrize(
    "values",
    [
        [i / 1000 for i in range(1, 1001)],  # 1 ms … 1 s, uniform
        [0.002] * 900 + [0.250] * 100,  # two modes: fast hits, a slow tail
        [0.0005 * 1.01**i for i in range(700)],  # 0.5 ms … ~0.5 s, log-uniform
        [0.003 + (i % 7) * 1e-4 for i in range(10_000)],  # narrow band, many samples
    ],
    ids=["uniform", "bimodal", "log-uniform", "narrow"],
)
def test_percentiles_match_the_exact_ones_within_the_resolution(values: list[float]) -> None:
    histogram = filled(values)
    for q in (0.5, 0.9, 0.95, 0.99):
        got = histogram.percentile(q)
        want = exact_percentile(values, q)
        assert got is not None
        assert abs(got - want) / want <= 0.05, (q, got, want)
    assert histogram.percentile(1.0) == max(values)
    assert histogram.count == len(values)
    assert histogram.total == pytest.approx(sum(values))


def test_identical_values_read_back_exactly() -> None:
    histogram = filled([0.0042] * 50)
    assert {histogram.percentile(q) for q in (0.0, 0.5, 0.99, 1.0)} == {0.0042}


def test_summary_is_in_milliseconds() -> None:
    summary = filled([i / 1000 for i in range(1, 101)]).summary()
    assert summary["count"] == 100 and summary["max_ms"] == 100.0
    assert summary["mean_ms"] == pytest.approx(50.5)
    assert summary["p50_ms"] == pytest.approx(50, rel=0.05)


def test_empty_and_out_of_range() -> None:
    histogram = LatencyHistogram()
    assert histogram.percentile(0.5) is None and histogram.summary()["p99_ms"] is None
    histogram.observe(1e6)  # beyond the last bucket: kept, and max stays exact
    assert histogram.percentile(0.5) == 1e6
    with pytest.raises(ValueError):
        histogram.percentile(1.5)


def test_memory_is_bounded_whatever_the_traffic() -> None:
    histogram = filled([i * 1e-5 for i in range(1, 100_001)])
    assert len(histogram.buckets) == len(BOUNDS) + 1 < 200
    assert pytest.approx(0.0905, abs=1e-4) == RELATIVE_RESOLUTION


def test_buffered_observations_are_all_read_whenever_the_reader_comes() -> None:
    # Synthetic timings, observed one by one across several bulk folds and
    # read while some are still buffered: the same as filling it at once.
    values = [(i % 997 + 1) * 1e-5 for i in range(3 * FOLD_AT + 17)]
    one_by_one = LatencyHistogram()
    for value in values:
        one_by_one.observe(value)
    at_once = filled(values)
    assert one_by_one.count == len(values) == at_once.count
    assert one_by_one.summary() == at_once.summary()
    assert one_by_one.buckets == at_once.buckets
    assert one_by_one.min == min(values) and one_by_one.max == max(values)
