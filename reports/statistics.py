"""The statistics a claim can be judged by: a declared table, and pure functions over arrays.

Each estimate comes with its 95 % interval, its sample size and the unit of
independence the interval was computed over — the things a sceptical reader
asks first. Benchmark rounds are independent draws of one call (two-sample
bootstrap of the medians); requests within one load run are not (they share
a cache state, a queue and a neighbour's noise), so load figures are judged
over repetitions of the whole run, the arms paired within each repetition
(they ran back to back, interleaved). Tested on synthetic data with known
answers (``tests/reports/test_statistics.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

CONFIDENCE = 0.95
RESAMPLES = 4999
SEED = 20261201  # the bootstrap is seeded: the same run renders the same intervals

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Statistic:
    """One way of turning evidence into a number, and what a claim must say to use it."""

    name: str
    summary: str  # what the number is, for the report
    suites: tuple[str, ...]  # the first is the default
    fields: tuple[str, ...]  # the claim keys it reads
    required: tuple[str, ...]
    unit: str  # the unit of independence of its interval
    fraction: bool = True  # claimed values are fractions (0.85 = 85 %)
    # Met or not met by running a check, no interval; or, for a claim that holds one
    # of the check's counts to a number, by that count (reports/evaluate.py).
    functional: bool = False
    default_metric: str = ""
    metrics: tuple[str, ...] = ()
    default_models: tuple[str, ...] = ()


LATENCY_METRICS = tuple(
    f"{kind}_{stat}" for kind in ("intended", "latency") for stat in ("mean", "p50", "p90", "p99")
)
PER_REQUEST_METRICS = ("db_statements_per_request", "portal_statements_per_request")

STATISTICS: dict[str, Statistic] = {
    statistic.name: statistic
    for statistic in (
        Statistic(
            "median_reduction",
            "1 - median(candidate) / median(baseline) of one call's time",
            suites=("queries", "endpoints"),
            fields=("series", "baseline", "candidate"),
            required=("series", "baseline", "candidate"),
            unit="benchmark rounds",
        ),
        Statistic(
            "paired_reduction",
            "1 - candidate / baseline of a per-run figure, the arms paired within each "
            "repetition (geometric mean of the ratios)",
            suites=("load",),
            fields=("series", "baseline", "candidate", "metric", "models"),
            required=("series", "baseline", "candidate"),
            unit="repetitions of the load run",
            default_metric="intended_mean",
            metrics=(*LATENCY_METRICS, *PER_REQUEST_METRICS),
            default_models=("open",),
        ),
        Statistic(
            "level",
            "the mean over runs of one arm's per-run figure",
            suites=("load",),
            fields=("series", "arm", "metric", "models"),
            required=("arm",),
            unit="load runs",
            default_metric="hit_ratio",
            metrics=("hit_ratio",),
            default_models=("open",),
        ),
        Statistic(
            "absolute_reduction",
            "1 - indexed / unindexed time at the data size where the unindexed query "
            "takes the claimed time, from the growth fit",
            suites=("growth",),
            fields=("series",),
            required=("series",),
            unit="benchmark rounds over all sizes, resampled and refitted",
        ),
        Statistic(
            "check",
            "a functional check run against the real portal during the run (and, where the "
            "claim names scenarios, those fault scenarios under load held too)",
            suites=("checks",),
            fields=("check", "scenarios", "count"),
            required=("check",),
            unit="check",
            fraction=False,
            functional=True,
        ),
    )
}


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
