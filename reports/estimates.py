"""Estimates with their intervals: pure functions over arrays, no run folder, no claim.

Which statistic a claim may name, and how each reads a run folder, is the
table in ``reports/statistics.py``; this module only computes. Each estimate
comes with its 95 % interval, its sample size and the unit of independence
the interval was computed over — the things a sceptical reader
asks first. Benchmark rounds are independent draws of one call (two-sample
bootstrap of the medians), here. Requests within one load window are not
independent (they share a cache state, a queue and a neighbour's noise), so
load figures are judged over paired units of windows, sequentially
(``loadtests/sequential.py``, which the load run needs while it runs).
Tested on synthetic data with known answers (``tests/reports/test_estimates.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

CONFIDENCE = 0.95
RESAMPLES = 4999  # a bootstrap's; the growth fit refits fewer (reports/absolute_reduction.py)
SEED = 20261201  # the bootstrap is seeded: the same run renders the same intervals

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Estimate:
    """A measured effect with its interval; ``low``/``high`` are None when n is too small."""

    value: float
    low: float | None
    high: float | None
    n: int
    method: str


def _array(values: Sequence[float] | Array) -> Array:
    return np.asarray(values, dtype=np.float64)


def median_reduction(
    baseline: Sequence[float] | Array,
    candidate: Sequence[float] | Array,
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> Estimate:
    """``1 - median(candidate)/median(baseline)``, with a two-sample percentile bootstrap interval.

    Percentile rather than BCa: with a few dozen rounds of a discrete timer
    BCa's acceleration estimate is unstable, and the percentile interval of
    a ratio of medians is already transformation-respecting.
    """
    from scipy import stats

    base, cand = _array(baseline), _array(candidate)
    if len(base) == 0 or len(cand) == 0:
        raise ValueError("both arms need at least one round")
    value = 1.0 - float(np.median(cand) / np.median(base))
    n = min(len(base), len(cand))
    if len(base) < 2 or len(cand) < 2:
        return Estimate(value, None, None, n, "one round in an arm: no interval")

    def reduction(c: Array, b: Array, axis: int = -1) -> Array:
        result: Array = 1.0 - np.median(c, axis=axis) / np.median(b, axis=axis)
        return result

    result = stats.bootstrap(
        (cand, base),
        reduction,
        n_resamples=resamples,
        confidence_level=CONFIDENCE,
        method="percentile",
        vectorized=True,
        rng=np.random.default_rng(seed),
    )
    interval = result.confidence_interval
    return Estimate(
        value,
        float(interval.low),
        float(interval.high),
        n,
        f"two-sample percentile bootstrap of the medians ({resamples} resamples)",
    )
