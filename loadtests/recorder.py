"""What a load generator records, per route: HDR latency histograms, failures, X-Cache answers.

Latencies go into HDR histograms (``hdrhistogram``: 1 µs to 60 s, three
significant digits), never Locust's rounded percentiles, and HDR histograms
add exactly, so the recordings of several generator processes merge without
loss (``merge``). The open model also records latency from each request's
*intended* start, so a server that stalls cannot hide behind the requests it
kept from being sent (coordinated omission). Pure Python: no Locust here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hdrh.histogram import HdrHistogram

LOWEST_US, HIGHEST_US, DIGITS = 1, 60_000_000, 3
PERCENTILES = (50.0, 90.0, 99.0, 99.9)


def hit_or_miss(value: str | None) -> str | None:
    """A cache header's answer as HIT or MISS (``HIT from cdn``, ``miss``), else as sent.

    The portal sends exactly HIT or MISS in ``X-Cache``; a team's service may say
    ``HIT from varnish`` or ``miss`` in a header of its own name.
    """
    if value is None:
        return None
    upper = value.strip().upper()
    for word in ("HIT", "MISS"):
        if upper.startswith(word):
            return word
    return upper or None


def new_histogram() -> HdrHistogram:
    return HdrHistogram(LOWEST_US, HIGHEST_US, DIGITS)


def _clamped_us(seconds: float) -> int:
    return max(LOWEST_US, min(HIGHEST_US, round(seconds * 1e6)))


@dataclass
class RouteRecord:
    """One route's recording."""

    service: HdrHistogram = field(default_factory=new_histogram)  # from the actual send
    intended: HdrHistogram = field(default_factory=new_histogram)  # open model: from schedule
    requests: int = 0
    failures: int = 0
    x_cache: Counter[str] = field(default_factory=Counter)

    def add(self, other: RouteRecord) -> None:
        self.service.add(other.service)
        self.intended.add(other.intended)
        self.requests += other.requests
        self.failures += other.failures
        self.x_cache.update(other.x_cache)


@dataclass
class Recorder:
    """Everything one generator process (or a merge of several) recorded."""

    routes: dict[str, RouteRecord] = field(default_factory=dict)
    # Per whole second since the start: [hits, cached-route answers], the warm-up curve.
    per_second: dict[int, list[int]] = field(default_factory=dict)
    scheduled: int = 0  # open model: starts due
    late: int = 0  # open model: starts made later than the allowed lag

    def record(
        self,
        route: str,
        seconds: float,
        *,
        ok: bool,
        x_cache: str | None,
        second: int,
        intended_seconds: float | None = None,
    ) -> None:
        record = self.routes.get(route)
        if record is None:  # not setdefault: a RouteRecord is two HDR histograms to allocate,
            record = self.routes[route] = RouteRecord()  # 60 µs each, on every request
        record.requests += 1
        record.failures += not ok
        record.service.record_value(_clamped_us(seconds))
        if intended_seconds is not None:
            record.intended.record_value(_clamped_us(intended_seconds))
        if x_cache is not None:
            record.x_cache[x_cache] += 1
            if x_cache in ("HIT", "MISS"):
                counts = self.per_second.setdefault(second, [0, 0])
                counts[0] += x_cache == "HIT"
                counts[1] += 1

    def merge(self, other: Recorder) -> None:
        for route, record in other.routes.items():
            self.routes.setdefault(route, RouteRecord()).add(record)
        for second, (hits, answers) in other.per_second.items():
            counts = self.per_second.setdefault(second, [0, 0])
            counts[0] += hits
            counts[1] += answers
        self.scheduled += other.scheduled
        self.late += other.late

    def to_document(self) -> dict[str, Any]:
        """JSON-ready, histograms in HDR's own compressed encoding (exact, mergeable)."""
        return {
            "routes": {
                route: {
                    "service": record.service.encode().decode(),
                    "intended": record.intended.encode().decode(),
                    "requests": record.requests,
                    "failures": record.failures,
                    "x_cache": dict(record.x_cache),
                }
                for route, record in self.routes.items()
            },
            "per_second": {str(second): counts for second, counts in self.per_second.items()},
            "scheduled": self.scheduled,
            "late": self.late,
        }

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> Recorder:
        recorder = cls(scheduled=document["scheduled"], late=document["late"])
        for route, raw in document["routes"].items():
            recorder.routes[route] = RouteRecord(
                service=HdrHistogram.decode(raw["service"].encode()),
                intended=HdrHistogram.decode(raw["intended"].encode()),
                requests=raw["requests"],
                failures=raw["failures"],
                x_cache=Counter(raw["x_cache"]),
            )
        recorder.per_second = {int(k): list(v) for k, v in document["per_second"].items()}
        return recorder


def latency_summary(histogram: HdrHistogram) -> dict[str, float | int]:
    """Count, p50/p90/p99/p99.9, max and mean in seconds, from the full histogram.

    The same figures as ``get_value_at_percentile`` and ``get_mean_value``, computed in
    one pass each: those walk all 17,408 buckets in Python per call (the mean about
    48 ms a histogram), and a default run summarises some 3,700 histograms, which took
    95 s after its last paired unit. ``tests/loadtests/test_recorder.py`` holds both to
    the library's own answers.
    """
    count = histogram.get_total_count()
    summary: dict[str, float | int] = {"count": count}
    found = histogram.get_percentile_to_value_dict(list(PERCENTILES)) if count else {}
    for percentile in PERCENTILES:
        summary[f"p{percentile:g}_s"] = found.get(percentile, 0) / 1e6
    summary["max_s"] = (histogram.get_max_value() if count else 0) / 1e6
    summary["mean_s"] = (mean_us(histogram) if count else 0) / 1e6
    return summary


def mean_us(histogram: HdrHistogram) -> float:
    """``get_mean_value``: each bucket's count times the middle of its equivalence range,
    visiting the buckets that hold a count only (numpy finds them)."""
    total_count = histogram.get_total_count()
    if not total_count:
        return 0.0
    length = min(histogram.counts_len, histogram.encoder.payload.counts_len)
    counts = np.ctypeslib.as_array(histogram.counts)[:length]
    total = 0
    for index in np.flatnonzero(counts):
        value = histogram.get_value_from_index(int(index))
        low = histogram.get_lowest_equivalent_value(value)
        size = histogram.get_highest_equivalent_value(value) - low + 1
        total += int(counts[index]) * (low + (size >> 1))
    return float(total) / float(total_count)
