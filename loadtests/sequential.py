"""Intervals for a load run made of many short paired units, valid however early it stops.

A load claim used to be judged over two or three repetitions of a whole run:
a t interval with one or two degrees of freedom, far too wide to decide a
claim. Kalibera & Jones (2013, "Rigorous benchmarking in reasonable time")
show that the unit of independence is what the interval must be computed
over, and that many short repetitions buy far more precision per minute than
a few long ones; Abedi & Brecht (2017, "Conducting repeatable experiments in
highly variable cloud computing environments") show that randomised multiple
interleaved trials, the arms run back to back in random order, keep a
drifting machine from posing as an effect. So a run is a series of *units*;
in each unit every arm gets one measured window, in random order. Units are
independent; the windows of one unit are paired, and each window gives one
figure per arm (its mean latency from each request's intended start, stalls
included; its statements per request; its hit ratio).

The run is sequential: it adds units until every claim's interval is as
narrow as its target, or the time budget is spent. Looking at the data and
stopping when it looks good inflates the error rate of naive intervals, so
the looks are fixed in advance (``LOOKS``, fractions of the budget) and the
95 % is spent across them by Bonferroni: each look's interval is computed at
its own alpha, the alphas sum to 0.05, and by the union bound the interval
reported at whichever look the run stops covers with at least 95 % whatever
the stopping rule. This is the simplest member of the group-sequential
family (Jennison & Turnbull, "Group Sequential Methods with Applications to
Clinical Trials", 2000, ch. 7 on alpha spending and repeated confidence
intervals): boundaries that use the correlation between looks would be a
little narrower, at the price of assumptions about that correlation; with
three looks the union bound costs little and needs none.

The estimand of a paired reduction is ``1 - mu_candidate / mu_baseline``,
the ratio of the arms' mean window figures: the mean, because stalls are part
of what a user waits for. Its interval is Fieller's (see ``ratio_reduction``).

Units are independent only if the machine forgets between them. A shared
2-core machine does not always: five default runs in a row once held one
whose all-off windows slowed from about 40 ms to 99 ms for fifteen units in
the middle, moving api-latency's estimate 11 points from the other four's,
further than its own interval allowed. So every interval is widened for
drift between units (``drift_widened``): it is the hull of the interval over
independent units and the same interval with a Newey-West long-run variance
(Bartlett weights over ``drift_lags(n)`` lags), which reads a run of similar
neighbouring units as fewer independent ones. The hull never makes an
interval narrower than the independent-units one, so it costs width only
where the units' own order shows drift.
Pure functions over arrays; ``loadtests/coverage.py`` proves the coverage by
simulating whole sequential runs (the record is ``docs/coverage.md``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

Array = NDArray[np.float64]
Figures = Sequence[float] | Array


@dataclass(frozen=True)
class Look:
    """A planned look at the data: at ``fraction`` of the time budget, at level ``alpha``."""

    fraction: float
    alpha: float


# Bonferroni spending, back-loaded: an early look spends little, so a run that
# goes the distance keeps most of the 5 % for its final (96.5 %) interval.
LOOKS = (Look(0.4, 0.005), Look(0.7, 0.010), Look(1.0, 0.035))

# A window whose mean is at least this many times its arm's median window mean
# is marked as a stall in the report. It stays in every estimate: the mark says
# where the mean's spread comes from, it never removes a window.
STALL_FACTOR = 5.0


# The widening for drift needs this many units to read neighbours' likeness at all.
DRIFT_MIN_UNITS = 8


@dataclass(frozen=True)
class Interval:
    """An estimate with its ``1 - alpha`` interval over ``n`` units; no ends below two units."""

    value: float
    low: float | None
    high: float | None
    n: int
    alpha: float
    method: str

    @property
    def half_width(self) -> float | None:
        """The larger distance from the value to an end of the interval (it may be skewed)."""
        if self.low is None or self.high is None:
            return None
        return max(self.value - self.low, self.high - self.value)


def _paired(baseline: Figures, candidate: Figures) -> tuple[Array, Array]:
    base = np.asarray(baseline, dtype=np.float64)
    cand = np.asarray(candidate, dtype=np.float64)
    if base.ndim != 1 or base.shape != cand.shape or len(base) == 0:
        raise ValueError("a paired reduction needs equally many (baseline, candidate) units, >= 1")
    if not (np.all(np.isfinite(base)) and np.all(np.isfinite(cand))):
        raise ValueError("every window figure must be finite")
    if np.any(base <= 0) or np.any(cand <= 0):
        raise ValueError("a ratio of means needs positive window figures in both arms")
    return base, cand


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), not {alpha}")


def _t(alpha: float, df: float) -> float:
    """The two-sided t quantile ``t_{1 - alpha/2}`` with ``df`` degrees of freedom."""
    return float(stats.t.ppf(1 - alpha / 2, df))


def drift_lags(n: int) -> int:
    """Lags of the Newey-West variance for ``n`` units in time order: ``floor(1.5 n^(1/3))``.

    Newey & West (1994) let the lags grow as ``n^(1/3)`` for the Bartlett
    kernel; the factor 1.5, rather than 1, was chosen by simulation
    (``loadtests/coverage.py``, scenario 5): with drift of lag-one correlation
    0.5 between units it brings coverage from 0.94 to 0.95 at 28 units, and
    costs scenario 1 (no drift) 0.07 of its power.
    """
    return max(1, int(1.5 * float(n) ** (1 / 3) + 1e-9))  # floor: positive


def long_run_cov(columns: Array, lags: int) -> Array:
    """Newey-West's long-run covariance of the columns' means, rows in time order.

    ``Gamma_0 + sum_l (1 - l/(lags+1)) (Gamma_l + Gamma_l^T)``, each ``Gamma``
    a lag-l autocovariance over n, scaled by ``n/(n-1)`` to match the sample
    covariance the independent-units interval uses. Bartlett's weights keep
    it positive semi-definite.
    """
    n = len(columns)
    centred = columns - columns.mean(axis=0)
    result: Array = centred.T @ centred / n
    for lag in range(1, min(lags, n - 1) + 1):
        gamma = centred[lag:].T @ centred[:-lag] / n
        result = result + (1 - lag / (lags + 1)) * (gamma + gamma.T)
    scaled: Array = result * n / (n - 1)
    return scaled


def drift_df(n: int, lags: int) -> float:
    """Degrees of freedom of a Bartlett long-run variance: ``3n / (2 lags)``, at most n - 1.

    The estimator is about a scaled chi-square whose spread grows with the
    lags: Priestley (1981, "Spectral Analysis and Time Series", 6.2.3) gives
    a lag-window estimate ``2n / (lags * integral of k^2)`` equivalent degrees
    of freedom away from frequency zero and half that at zero, where the
    long-run variance is; Bartlett's ``k^2`` integrates to 2/3 over [-1, 1].
    """
    return min(n - 1.0, 3.0 * n / (2.0 * lags))


def _fieller(b_mean: float, c_mean: float, cov: Array, q2: float) -> tuple[float, float] | None:
    """The set of ratios ``R`` with ``(c_mean - R b_mean)^2 <= q2 var(c - R b)``, or None."""
    s_bb, s_bc, s_cc = float(cov[0, 0]), float(cov[0, 1]), float(cov[1, 1])
    a = b_mean**2 - q2 * s_bb
    b = b_mean * c_mean - q2 * s_bc
    c = c_mean**2 - q2 * s_cc
    if a <= 0:
        return None
    # With a > 0 the set holds the estimate itself, so b^2 - ac >= 0 but for rounding.
    root = math.sqrt(max(b * b - a * c, 0.0))
    # Both figures are positive, so the ratio is too: a reduction above 100 % is no
    # outcome, and cutting the set there keeps every ratio it could cover.
    return max((b - root) / a, 0.0), (b + root) / a


def ratio_reduction(baseline: Figures, candidate: Figures, alpha: float) -> Interval:
    """``1 - mean(candidate)/mean(baseline)`` over paired units, with Fieller's interval.

    Fieller rather than the delta method: both rest on the pair of means being
    about normal, but the delta method also linearises the ratio, treating
    the baseline mean as if it were known; with ten-odd units, a noisy
    baseline and the small alphas of early looks, that makes the interval too
    short on the side the denominator can swing. Fieller inverts the test of
    ``mean(c) - R mean(b) = 0`` exactly (the set of ratios R for which
    ``d_i = c_i - R b_i`` has a mean within ``t * se``), so it is skewed where
    the ratio is and reduces to the delta method as n grows. Simulated over
    whole sequential runs of 24 units (``loadtests/coverage.py``), the delta
    method covered 0.82 in the stall scenario, Fieller 0.99; a bootstrap-t
    over units 0.92, and Fieller with Hall's (1992) skewness correction 0.94
    there, 0.951 without stalls (Fieller 0.967) and 0.949 with unequal arm
    variances (Fieller 0.945). Should the baseline mean itself not be
    distinguishable from zero the set is unbounded: then the interval has no
    ends.

    From ``DRIFT_MIN_UNITS`` units on, the figures are taken in time order
    and the interval is the hull of Fieller's over independent units and
    Fieller's with Newey-West's long-run covariance at ``drift_df`` degrees
    of freedom: the same quadratic, the variance of ``c_i - R b_i`` read over
    neighbouring units too.
    """
    _check_alpha(alpha)
    base, cand = _paired(baseline, candidate)
    n = len(base)
    b_mean, c_mean = float(base.mean()), float(cand.mean())
    ratio = c_mean / b_mean
    value = 1.0 - ratio
    if n < 2:
        return Interval(value, None, None, n, alpha, "one unit: no interval")
    unbounded = Interval(value, None, None, n, alpha, "Fieller: baseline mean not above zero")
    ratios = _fieller(b_mean, c_mean, np.cov(base, cand, ddof=1), _t(alpha, n - 1) ** 2 / n)
    if ratios is None:
        return unbounded
    method = "Fieller interval of the ratio of means, units paired"
    if n >= DRIFT_MIN_UNITS:
        lags = drift_lags(n)
        cov = long_run_cov(np.column_stack([base, cand]), lags)
        drift = _fieller(b_mean, c_mean, cov, _t(alpha, drift_df(n, lags)) ** 2 / n)
        if drift is None:
            return unbounded
        plain = _half_width(1.0 - ratio, ratios)
        ratios = (min(ratios[0], drift[0]), max(ratios[1], drift[1]))
        method += _drift_said(lags, plain, _half_width(1.0 - ratio, ratios))
    return Interval(value, 1.0 - ratios[1], 1.0 - ratios[0], n, alpha, method)


def _half_width(value: float, ratios: tuple[float, float]) -> float:
    return max(value - (1.0 - ratios[1]), (1.0 - ratios[0]) - value)


def _drift_said(lags: int, plain: float, widened: float) -> str:
    """How much the drift between units widened an interval: a reader's sign of a drifting
    machine (1.0 when the units' order showed nothing beyond independent units' spread)."""
    said = f"; drift between units (Newey-West, {lags} lags)"
    if plain > 0 and widened > plain * 1.005:
        return f"{said} widened it x{widened / plain:.2f}"
    return f"{said} did not widen it"


def level(values: Figures, alpha: float, lowest: float = 0.0, highest: float = 1.0) -> Interval:
    """The mean of one figure per unit with its t interval, clipped to ``[lowest, highest]``.

    Figures in time order: from ``DRIFT_MIN_UNITS`` units on, the half-width is
    the larger of the independent-units one and Newey-West's, as in
    ``ratio_reduction``.
    """
    _check_alpha(alpha)
    data = np.asarray(values, dtype=np.float64)
    if data.ndim != 1 or len(data) == 0:
        raise ValueError("a level needs one figure per unit, >= 1")
    if not np.all(np.isfinite(data)) or np.any(data < lowest) or np.any(data > highest):
        raise ValueError(f"every figure must lie in [{lowest}, {highest}]")
    n, mean = len(data), float(data.mean())
    if n < 2:
        return Interval(mean, None, None, n, alpha, "one unit: no interval")
    half = _t(alpha, n - 1) * float(data.std(ddof=1)) / math.sqrt(n)
    method = "t interval over units"
    if n >= DRIFT_MIN_UNITS:
        lags = drift_lags(n)
        variance = float(long_run_cov(data[:, np.newaxis], lags)[0, 0])
        plain = half
        half = max(half, _t(alpha, drift_df(n, lags)) * math.sqrt(variance / n))
        method += _drift_said(lags, plain, half)
    return Interval(
        mean,
        max(mean - half, lowest),
        min(mean + half, highest),
        n,
        alpha,
        method,
    )


def look_due(elapsed_s: float, budget_s: float, looks_done: int) -> Look | None:
    """The look to take now, after a unit has ended; None if no new look is due.

    Call after every unit with the looks already taken. Should one unit
    outlast two look times, the latest is taken and the skipped look's alpha
    is left unspent: conservative, and it keeps each look's alpha fixed in
    advance, as the union bound requires.
    """
    if budget_s <= 0:
        raise ValueError("the time budget must be positive")
    due = [k for k, look in enumerate(LOOKS) if elapsed_s >= look.fraction * budget_s]
    if not due or due[-1] < looks_done:
        return None
    return LOOKS[due[-1]]


def mde(interval: Interval, power: float = 0.8) -> float:
    """The minimum detectable effect: ``(t_{1-alpha/2} + t_{power}) * se`` at n - 1 df.

    The smallest distance between the truth and a claimed bound that an
    interval this wide, at this alpha, excludes with probability ``power``: a
    run whose truth lies nearer a bound would often leave the claim
    undecided. ``se`` is read off the interval, ``half_width / t_{1-alpha/2}``,
    so Fieller's longer side counts (the delta method's standard error gave
    an MDE that was excluded in 65 % of simulated runs, not 80 %). Infinite
    when the interval has no ends.
    """
    if not 0 < power < 1:
        raise ValueError(f"power must be in (0, 1), not {power}")
    half = interval.half_width
    if half is None:
        return math.inf
    df = interval.n - 1
    t_alpha = _t(interval.alpha, df)
    return (t_alpha + float(stats.t.ppf(power, df))) * half / t_alpha


def units_for(interval: Interval, target_half_width: float) -> int:
    """About how many units in all would bring the half-width to the target.

    ``n * (hw / target)^2`` rounded up, where hw is this interval's half-width
    rescaled to the final look's alpha (by the ratio of the two t quantiles at
    n - 1 df). The quantile is held at today's df: for a small n the answer
    is a little high, which suits a plan. Below today's n when the interval
    is already narrow enough: that many would have done.
    """
    if target_half_width <= 0:
        raise ValueError("the target half-width must be positive")
    half = interval.half_width
    if half is None:
        raise ValueError("planning needs an interval with ends: two units at least")
    df = interval.n - 1
    final = half * _t(LOOKS[-1].alpha, df) / _t(interval.alpha, df)
    return max(2, math.ceil(interval.n * (final / target_half_width) ** 2))


def is_stall(window_mean: float, arm_window_means: Figures, factor: float = STALL_FACTOR) -> bool:
    """Whether a window's mean is at least ``factor`` times its arm's median window mean."""
    means = np.asarray(arm_window_means, dtype=np.float64)
    if len(means) == 0:
        raise ValueError("a stall is judged against the arm's other windows: none given")
    return bool(window_mean >= factor * float(np.median(means)))
