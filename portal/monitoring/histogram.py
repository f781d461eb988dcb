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

from array import array
from collections.abc import Iterable

import numpy as np

_LOWEST_S = 1e-5
_PER_OCTAVE = 8
_OCTAVES = 24  # 10 µs · 2^24 ≈ 168 s

BOUNDS: tuple[float, ...] = tuple(
    _LOWEST_S * 2 ** (i / _PER_OCTAVE) for i in range(_OCTAVES * _PER_OCTAVE + 1)
)
"""Upper bounds (seconds, inclusive) of the buckets; one more bucket holds the rest."""

RELATIVE_RESOLUTION = 2 ** (1 / _PER_OCTAVE) - 1
"""The widest a bucket is relative to its lower bound: the worst-case percentile error."""


FOLD_AT = 512
"""Observations buffered before they are sorted into buckets (readers fold at once)."""


class BufferedBuckets:
    """Observations appended to a flat buffer, sorted into buckets in bulk.

    On a cache hit the request's other work has pushed any bucket arrays out
    of the CPU caches, and sorting one value into them there cost ~1 µs a
    histogram (a few µs in all: most of monitoring's budget). ``observe``
    only appends a double; the buffer is sorted into the buckets with numpy
    every ``FOLD_AT`` observations and before anything is read (subclasses'
    readers call ``fold`` first), so readers see every observation.
    """

    __slots__ = ("_pending",)
    #: Upper bounds (inclusive) of the buckets; one more bucket holds the rest.
    bounds: np.ndarray

    def __init__(self) -> None:
        self._pending = array("d")

    def observe(self, seconds: float) -> None:
        pending = self._pending
        pending.append(seconds)
        if len(pending) >= FOLD_AT:
            self.fold()

    def fold(self) -> None:
        """Sort the buffered observations into the buckets."""
        if not self._pending:
            return
        values = np.frombuffer(self._pending, dtype=np.float64)
        self._absorb(values, np.searchsorted(self.bounds, values, side="left"))  # bisect_left
        del values  # the buffer cannot shrink while a view of it exists
        del self._pending[:]

    def _absorb(self, values: np.ndarray, index: np.ndarray) -> None:
        """Add ``values``, which fall in buckets ``index``, to the totals."""
        raise NotImplementedError


class LatencyHistogram(BufferedBuckets):
    """Observations in seconds; not thread-safe (one event loop per worker owns it)."""

    __slots__ = ("_buckets", "_count", "_max", "_min", "_sums", "_total")
    bounds = np.array(BOUNDS)

    def __init__(self) -> None:
        super().__init__()
        self._buckets = np.zeros(len(BOUNDS) + 1, dtype=np.int64)
        self._sums = np.zeros(len(BOUNDS) + 1, dtype=np.float64)
        self._count = 0
        self._total = 0.0
        self._min = float("inf")
        self._max = 0.0

    def observe_all(self, values: Iterable[float]) -> None:
        self._pending.extend(values)
        self.fold()

    def _absorb(self, values: np.ndarray, index: np.ndarray) -> None:
        self._buckets += np.bincount(index, minlength=len(self._buckets))
        self._sums += np.bincount(index, weights=values, minlength=len(self._sums))
        self._count += len(values)
        self._total += float(values.sum())
        self._min = min(self._min, float(values.min()))
        self._max = max(self._max, float(values.max()))

    @property
    def buckets(self) -> list[int]:
        self.fold()
        return [int(n) for n in self._buckets]

    @property
    def count(self) -> int:
        self.fold()
        return self._count

    @property
    def total(self) -> float:
        self.fold()
        return self._total

    @property
    def min(self) -> float:
        self.fold()
        return self._min

    @property
    def max(self) -> float:
        self.fold()
        return self._max

    def percentile(self, q: float) -> float | None:
        """The ``q``-quantile (0 ≤ q ≤ 1) in seconds, or None with no observations.

        Finds the bucket holding the observation of rank ``q · count`` and
        interpolates inside it (see the module docstring), clamped to the
        observed min and max.
        """
        if not 0.0 <= q <= 1.0:
            raise ValueError(f"quantile must be within [0, 1]: {q}")
        self.fold()
        if self._count == 0:
            return None
        if q == 1.0:
            return self._max
        rank = max(q * self._count, 1.0)
        seen = 0
        sums = self._sums
        for index, in_bucket in enumerate(self._buckets.tolist()):
            if in_bucket and seen + in_bucket >= rank:
                lower = BOUNDS[index - 1] if index > 0 else 0.0
                upper = BOUNDS[index] if index < len(BOUNDS) else self._max
                mean = float(sums[index]) / in_bucket
                half = max(min(upper - mean, mean - lower), 0.0)
                value = mean - half + 2 * half * ((rank - seen) / in_bucket)
                return min(max(value, self._min), self._max)
            seen += in_bucket
        return self._max  # unreachable: the buckets sum to count

    def summary(self) -> dict[str, float | int | None]:
        """Count, mean and the usual percentiles, in milliseconds (the JSON endpoints' unit)."""

        def ms(seconds: float | None) -> float | None:
            return None if seconds is None else round(seconds * 1000, 3)

        self.fold()
        count = self._count
        return {
            "count": count,
            "total_ms": ms(self._total),
            "mean_ms": ms(self._total / count) if count else None,
            "p50_ms": ms(self.percentile(0.50)),
            "p95_ms": ms(self.percentile(0.95)),
            "p99_ms": ms(self.percentile(0.99)),
            "max_ms": ms(self._max) if count else None,
        }
