"""Estimates with their intervals: pure functions over arrays, no run folder, no claim.

Which statistic a claim may name, and how each reads a run folder, is the
table in ``reports/statistics.py``; this module only computes. Each estimate
comes with its 95 % interval, its sample size and the unit of independence
the interval was computed over — the things a sceptical reader
asks first. Benchmark rounds are independent draws of one call (two-sample
bootstrap of the medians); requests within one load run are not (they share
a cache state, a queue and a neighbour's noise), so load figures are judged
over repetitions of the whole run, the arms paired within each repetition
(they ran back to back, interleaved). Tested on synthetic data with known
answers (``tests/reports/test_estimates.py``).
"""

from __future__ import annotations

import math
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


def _t_interval(values: Array) -> tuple[float, float, float] | None:
    """Mean and the t interval of ``values``; None below two values."""
    from scipy import stats

    mean = float(values.mean())
    if len(values) < 2:
        return None
    spread = float(values.std(ddof=1)) / math.sqrt(len(values))
    if spread == 0:
        return mean, mean, mean
    half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, len(values) - 1)) * spread
    return mean, mean - half, mean + half


def paired_reduction(
    baseline: Sequence[float] | Array, candidate: Sequence[float] | Array
) -> Estimate:
    """``1 - candidate/baseline`` over pairs, by a t interval on the log ratios.

    Logs make a ratio's interval symmetric where it should be (halving and
    doubling are equally far from no change) and keep it below 100 %.
    """
    base, cand = _array(baseline), _array(candidate)
    if len(base) != len(cand) or len(base) == 0:
        raise ValueError("paired_reduction needs equally many (baseline, candidate) pairs, >= 1")
    if np.any(base <= 0) or np.any(cand <= 0):
        raise ValueError("ratios need positive figures in both arms")
    logs = np.log(cand / base)
    found = _t_interval(logs)
    value = 1.0 - math.exp(float(logs.mean()))
    if found is None:
        return Estimate(value, None, None, len(logs), "one repetition: no interval")
    _, low_log, high_log = found
    return Estimate(
        value,
        1.0 - math.exp(high_log),
        1.0 - math.exp(low_log),
        len(logs),
        "t interval on the log ratios, pairs = repetitions",
    )


def level(
    values: Sequence[float] | Array, *, lowest: float = 0.0, highest: float = 1.0
) -> Estimate:
    """The mean of ``values`` with its t interval, clipped to the figure's range."""
    data = _array(values)
    if len(data) == 0:
        raise ValueError("level needs at least one value")
    found = _t_interval(data)
    if found is None:
        return Estimate(float(data[0]), None, None, 1, "one run: no interval")
    mean, low, high = found
    return Estimate(
        mean, max(low, lowest), min(high, highest), len(data), "t interval over the runs"
    )
