"""The gate's statistics: two-sample tests, their correction over a family, and the change.

Pure functions over arrays, tested on synthetic samples of known distributions
(``tests/reports/regress/test_significance.py``).

Two kinds of evidence, two tests:

- Benchmark rounds (queries, endpoints) are many draws of one call, each
  divided by the reference call timed just before it where the runs have
  one (``benchmarks/reference.py``: the machine's speed of that moment taken
  out): a rank test (Mann-Whitney U, two-sided) on the rounds, exact when there are no
  ties and the samples are small enough for the exact null distribution, the
  normal approximation otherwise. A rank test because round times are skewed
  with a long right tail (a GC pause, a neighbour), which a t-test takes for
  a shift. But rounds come in blocks (``benchmarks/arms.py``), and rounds of
  one block share that moment's noise, so the rank test alone overstates
  what they show: :func:`block_test` compares the blocks' medians, and a
  series' p-value is the larger of the two.
- Load-test figures are one number per repetition of a whole run (requests
  within a run share a queue and a cache state, so they are not independent
  samples): two or three per side. A rank test cannot reach significance
  there at all (with 3 against 3 its smallest two-sided p is 0.1), so the
  figures are compared by Student's t-test on their logarithms, a ratio
  being what a slowdown is. Pooled variance, not Welch's: under the null
  (the same code) both sides have one spread, and with three values a side
  Welch's degrees of freedom can fall to 2, which costs a fifth of the power
  to catch a 20 % throughput drop (measured in the tests).

The family of all series compared is corrected together: Benjamini-Hochberg
(false discovery rate, the default) or Holm (family-wise error). A series
whose sample sizes cannot reach the level even alone is left out of the
family (Tarone's refinement): it could never be flagged, and counting it
would only make every other series harder to flag.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from reports.estimates import CONFIDENCE, RESAMPLES, median_reduction

Array = NDArray[np.float64]
Control = Literal["fdr", "fwer"]
CONTROLS: tuple[Control, ...] = ("fdr", "fwer")

# The exact null distribution of U is cheap up to about this many pairs
# (scipy's recursion; 100 x 100 rounds take a few milliseconds).
EXACT_PAIRS = 10_000


@dataclass(frozen=True)
class Change:
    """``candidate / baseline - 1`` of a central figure, with its 95 % interval (None: none)."""

    value: float
    low: float | None
    high: float | None


def _array(values: Sequence[float] | Array) -> Array:
    return np.asarray(values, dtype=np.float64)


def rank_test(baseline: Sequence[float] | Array, candidate: Sequence[float] | Array) -> float:
    """Two-sided Mann-Whitney U p-value of ``candidate`` against ``baseline``."""
    from scipy import stats

    base, cand = _array(baseline), _array(candidate)
    if len(base) == 0 or len(cand) == 0:
        raise ValueError("both samples need at least one value")
    pooled = np.concatenate([base, cand])
    if np.all(pooled == pooled[0]):
        return 1.0  # no spread at all: nothing told apart (the normal approximation divides by 0)
    tied = len(np.unique(pooled)) < len(pooled)
    method: Literal["exact", "asymptotic"] = (
        "exact" if not tied and len(base) * len(cand) <= EXACT_PAIRS else "asymptotic"
    )
    result = stats.mannwhitneyu(cand, base, alternative="two-sided", method=method)
    return float(result.pvalue)


def smallest_rank_p(n_baseline: int, n_candidate: int) -> float:
    """The smallest two-sided p-value a rank test can give with these sample sizes.

    Complete separation of the two samples is one arrangement of
    ``C(n1 + n2, n1)`` on either side.
    """
    if n_baseline < 1 or n_candidate < 1:
        return 1.0
    return min(1.0, 2.0 / math.comb(n_baseline + n_candidate, n_baseline))


def log_t_test(
    baseline: Sequence[float] | Array, candidate: Sequence[float] | Array
) -> float | None:
    """Two-sided Student t-test p-value on the logarithms; None below two values a side.

    Two sides without any spread are told apart exactly: equal means p = 1,
    different ones p = 0 (a constant figure that moved has moved).
    """
    from scipy import stats

    base, cand = np.log(_positive(baseline)), np.log(_positive(candidate))
    if len(base) < 2 or len(cand) < 2:
        return None
    if base.std() == 0 and cand.std() == 0:
        return 1.0 if base.mean() == cand.mean() else 0.0
    result = stats.ttest_ind(cand, base, equal_var=True)
    return float(result.pvalue)


def _positive(values: Sequence[float] | Array) -> Array:
    data = _array(values)
    if np.any(data <= 0):
        raise ValueError("a ratio needs positive figures")
    return data


def adjusted(p_values: Sequence[float] | Array, control: Control) -> Array:
    """The p-values corrected over their family: BH q-values (fdr) or Holm's (fwer)."""
    from scipy import stats

    ps = _array(p_values)
    if len(ps) == 0:
        return ps
    if control == "fdr":
        q: Array = stats.false_discovery_control(ps, method="bh")
        return q
    return holm(ps)


def holm(p_values: Sequence[float] | Array) -> Array:
    """Holm's step-down adjusted p-values: the family-wise error controlled, any dependence."""
    ps = _array(p_values)
    m = len(ps)
    order = np.argsort(ps)
    stepped = np.maximum.accumulate((m - np.arange(m)) * ps[order])
    result = np.empty(m)
    result[order] = np.minimum(stepped, 1.0)
    return result


def median_change(
    baseline: Sequence[float] | Array,
    candidate: Sequence[float] | Array,
    *,
    resamples: int = RESAMPLES,
) -> Change:
    """``median(candidate) / median(baseline) - 1`` with a bootstrap interval (0: none).

    The interval is :func:`reports.statistics.median_reduction`'s, turned
    round: a reduction of r is a change of -r.
    """
    base, cand = _array(baseline), _array(candidate)
    if resamples == 0 or len(base) < 2 or len(cand) < 2:
        return Change(float(np.median(cand) / np.median(base)) - 1.0, None, None)
    estimate = median_reduction(base, cand, resamples=resamples)
    low = None if estimate.high is None else -estimate.high
    high = None if estimate.low is None else -estimate.low
    return Change(-estimate.value, low, high)


def mean_log_change(
    baseline: Sequence[float] | Array, candidate: Sequence[float] | Array
) -> Change:
    """``exp(mean log candidate - mean log baseline) - 1`` with the pooled t interval."""
    from scipy import stats

    base, cand = np.log(_positive(baseline)), np.log(_positive(candidate))
    difference = float(cand.mean() - base.mean())
    value = math.expm1(difference)
    if len(base) < 2 or len(cand) < 2:
        return Change(value, None, None)
    df = len(base) + len(cand) - 2
    pooled = (base.var(ddof=1) * (len(base) - 1) + cand.var(ddof=1) * (len(cand) - 1)) / df
    spread = math.sqrt(pooled * (1 / len(base) + 1 / len(cand)))
    if spread == 0:
        return Change(value, value, value)
    half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, df)) * spread
    return Change(value, math.expm1(difference - half), math.expm1(difference + half))


# How much a series' own block variance is shrunk towards its suite's typical one: the
# suite's median counts as this many degrees of freedom. A series has two blocks a side
# per run (2 df in all): alone, that estimate is so loose that a lucky small one makes
# any shift "significant", and a t-test with 2 df needs a 14-fold standard error to
# reach 0.0004 (one series among 116 under BH).
PRIOR_DF = 10


@dataclass(frozen=True)
class BlockSpread:
    """The blocks of one series, both sides: what the block test needs."""

    difference: float  # mean log block median, candidate minus baseline
    variance: float  # pooled within-side variance of the log block medians (nan: df 0)
    df: int
    n_baseline: int  # blocks on each side
    n_candidate: int


def _block_logs(values: Array, blocks: Array) -> Array:
    labels = np.unique(blocks)
    medians = [np.median(values[blocks == label]) for label in labels]
    result: Array = np.log(np.asarray(medians, dtype=np.float64))
    return result


def block_spread(
    baseline: Array, baseline_blocks: Array, candidate: Array, candidate_blocks: Array
) -> BlockSpread:
    """Each block's log median, and their spread within each side."""
    base = _block_logs(_positive(baseline), _array(baseline_blocks))
    cand = _block_logs(_positive(candidate), _array(candidate_blocks))
    df = len(base) - 1 + len(cand) - 1
    squares = float(((base - base.mean()) ** 2).sum() + ((cand - cand.mean()) ** 2).sum())
    variance = squares / df if df > 0 else math.nan
    return BlockSpread(float(cand.mean() - base.mean()), variance, df, len(base), len(cand))


def typical_variance(spreads: Sequence[BlockSpread]) -> float:
    """The median block variance of a family (nan when no series has two blocks a side)."""
    known = [s.variance for s in spreads if s.df > 0]
    return float(np.median(known)) if known else math.nan


def block_test(spread: BlockSpread, typical: float, *, prior_df: int = PRIOR_DF) -> float | None:
    """Two-sided p-value of the blocks' mean log change: a t-test on block medians whose
    variance is the series' own shrunk towards ``typical``; None without any block spread.

    Rounds milliseconds apart share that moment's noise (a neighbour's burst, a CPU clock
    step): measured here, the rounds of one block spread by 5-9 % while one block's median
    moved 20-30 % from the next block's. So the block, not the round, is the sample.
    """
    from scipy import stats

    weights = [(prior_df, typical), (spread.df, spread.variance)]
    usable = [(df, var) for df, var in weights if df > 0 and math.isfinite(var)]
    if not usable:
        return None
    df = sum(d for d, _ in usable)
    variance = sum(d * v for d, v in usable) / df
    error = math.sqrt(variance * (1 / spread.n_baseline + 1 / spread.n_candidate))
    if error == 0:
        return 1.0 if spread.difference == 0 else 0.0
    return float(2 * stats.t.sf(abs(spread.difference) / error, df))
