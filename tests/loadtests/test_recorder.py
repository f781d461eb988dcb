"""The recorder on synthetic latencies with known percentiles; merging loses nothing."""

from __future__ import annotations

import random

import pytest
from hdrh.histogram import HdrHistogram

from loadtests.recorder import (
    HIGHEST_US,
    PERCENTILES,
    Recorder,
    latency_summary,
    mean_us,
    new_histogram,
)


def recorded(values_ms: list[float], *, route: str = "GET /api/x") -> Recorder:
    recorder = Recorder()
    for number, ms in enumerate(values_ms):
        recorder.record(route, ms / 1e3, ok=number % 10 != 0, x_cache="HIT", second=number // 50)
    return recorder


def test_percentiles_come_from_every_sample() -> None:
    summary = latency_summary(
        recorded([float(ms) for ms in range(1, 1001)]).routes["GET /api/x"].service
    )
    assert summary["count"] == 1000
    assert summary["p50_s"] == pytest.approx(0.500, rel=0.002)
    assert summary["p99_s"] == pytest.approx(0.990, rel=0.002)
    assert summary["p99.9_s"] == pytest.approx(0.999, rel=0.002)
    assert summary["max_s"] == pytest.approx(1.000, rel=0.002)


def test_merging_adds_exactly_through_the_encoding() -> None:
    one, two = recorded([5.0] * 300), recorded([50.0] * 700)
    merged = Recorder()
    for part in (one, two):
        merged.merge(Recorder.from_document(part.to_document()))
    route = merged.routes["GET /api/x"]
    assert route.requests == route.service.get_total_count() == 1000
    assert route.failures == 30 + 70
    assert route.x_cache["HIT"] == 1000
    assert latency_summary(route.service)["p50_s"] == pytest.approx(0.050, rel=0.002)
    assert sum(answers for _, answers in merged.per_second.values()) == 1000


def test_the_intended_start_histogram_is_kept_apart() -> None:
    recorder = Recorder()
    recorder.record("GET /api/x", 0.010, ok=True, x_cache=None, second=0, intended_seconds=0.5)
    route = recorder.routes["GET /api/x"]
    assert latency_summary(route.service)["p50_s"] == pytest.approx(0.010, rel=0.002)
    assert latency_summary(route.intended)["p50_s"] == pytest.approx(0.5, rel=0.002)
    assert recorder.per_second == {}  # no X-Cache answer: not a cached route


@pytest.mark.parametrize("seed", range(12))
def test_the_one_pass_summary_gives_the_library_s_own_figures(seed: int) -> None:
    """``latency_summary`` walks the buckets once; ``hdrh``'s own calls walk all of them per
    figure: on random histograms (and their decoded copies) the answers are the same."""
    rng = random.Random(seed)
    histogram = new_histogram()
    for _ in range(rng.randint(1, 3000)):
        value = max(1, int(rng.lognormvariate(rng.uniform(3, 15), 1.5)))
        histogram.record_value(min(value, HIGHEST_US), rng.randint(1, 3))
    for each in (histogram, HdrHistogram.decode(histogram.encode())):
        summary = latency_summary(each)
        assert mean_us(each) == pytest.approx(each.get_mean_value(), rel=1e-12)
        assert summary["mean_s"] == pytest.approx(each.get_mean_value() / 1e6, rel=1e-12)
        for percentile in PERCENTILES:
            assert summary[f"p{percentile:g}_s"] == each.get_value_at_percentile(percentile) / 1e6
