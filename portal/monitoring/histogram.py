"""A latency histogram with fixed log-spaced buckets: bounded memory, percentiles on demand.

The write-up's monitor kept every timing in a list; that grows without limit
and costs a sort per read. Here each distribution is 194 counts and 194 sums,
whatever the traffic: buckets grow by 2^(1/8) (≈ 9.05 %) from 10 µs to 168 s,
so a percentile read from them is within one bucket width of the true value.
Inside a bucket, values are assumed spread evenly over the widest range
centred on the bucket's mean that fits in it: an even spread reads as plain
linear interpolation, a cluster of equal timings (a cached answer) reads back
almost exactly. Count, sum, min and max are kept exactly.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

_LOWEST_S = 1e-5
_PER_OCTAVE = 8
_OCTAVES = 24  # 10 µs · 2^24 ≈ 168 s

BOUNDS: tuple[float, ...] = tuple(
    _LOWEST_S * 2 ** (i / _PER_OCTAVE) for i in range(_OCTAVES * _PER_OCTAVE + 1)
)
"""Upper bounds (seconds, inclusive) of the buckets; one more bucket holds the rest."""

RELATIVE_RESOLUTION = 2 ** (1 / _PER_OCTAVE) - 1
"""The widest a bucket is relative to its lower bound: the worst-case percentile error."""


class LatencyHistogram:
    """Observations in seconds; not thread-safe (one event loop per worker owns it)."""

    __slots__ = ("buckets", "count", "max", "min", "sums", "total")

    def __init__(self) -> None:
        self.buckets = [0] * (len(BOUNDS) + 1)
        self.sums = [0.0] * (len(BOUNDS) + 1)
        self.count = 0
        self.total = 0.0
        self.min = float("inf")
        self.max = 0.0

    def observe(self, seconds: float) -> None:
        index = bisect_left(BOUNDS, seconds)
        self.buckets[index] += 1
        self.sums[index] += seconds
        self.count += 1
        self.total += seconds
        if seconds > self.max:
            self.max = seconds
        if seconds < self.min:
            self.min = seconds

    def observe_all(self, values: Iterable[float]) -> None:
        for value in values:
            self.observe(value)

    def percentile(self, q: float) -> float | None:
        """The ``q``-quantile (0 ≤ q ≤ 1) in seconds, or None with no observations.

        Finds the bucket holding the observation of rank ``q · count`` and
        interpolates inside it (see the module docstring), clamped to the
        observed min and max.
        """
        if not 0.0 <= q <= 1.0:
            raise ValueError(f"quantile must be within [0, 1]: {q}")
        if self.count == 0:
            return None
        if q == 1.0:
            return self.max
        rank = max(q * self.count, 1.0)
        seen = 0
        for index, in_bucket in enumerate(self.buckets):
            if in_bucket and seen + in_bucket >= rank:
                lower = BOUNDS[index - 1] if index > 0 else 0.0
                upper = BOUNDS[index] if index < len(BOUNDS) else self.max
                mean = self.sums[index] / in_bucket
                half = max(min(upper - mean, mean - lower), 0.0)
                value = mean - half + 2 * half * ((rank - seen) / in_bucket)
                return min(max(value, self.min), self.max)
            seen += in_bucket
        return self.max  # unreachable: the buckets sum to count

    def summary(self) -> dict[str, float | int | None]:
        """Count, mean and the usual percentiles, in milliseconds (the JSON endpoints' unit)."""

        def ms(seconds: float | None) -> float | None:
            return None if seconds is None else round(seconds * 1000, 3)

        return {
            "count": self.count,
            "total_ms": ms(self.total),
            "mean_ms": ms(self.total / self.count) if self.count else None,
            "p50_ms": ms(self.percentile(0.50)),
            "p95_ms": ms(self.percentile(0.95)),
            "p99_ms": ms(self.percentile(0.99)),
            "max_ms": ms(self.max) if self.count else None,
        }
