"""Two sides' samples in, one verdict per series out: regressed only when significant AND large.

For each series measured on both sides: the change of its central figure
(median round, or geometric mean of the repetitions) with a 95 % interval,
a two-sided p-value (:mod:`reports.regress.significance`: for benchmark
series the largest of the rank test on rounds, the block test and, given a
calibration, the A/A-spread test; of time ÷ reference where the runs have
references), the p-values corrected over the whole family, and
:func:`classify`:

- regressed: significant after the correction, and worse than its threshold
  (a series tested on time ÷ reference: its times too, below);
- improved: significant, and better by more than its threshold (likewise);
- unchanged: anything else — not significant, or significant but within the
  threshold (a 3 % drift that a thousand rounds make "significant" is not a
  regression a team should be paged for), time ÷ reference and the times not
  both beyond it the same way, or too few samples to test;
- not compared: measured on both sides but not comparable (the reason says
  why, e.g. open-model latency at two different offered rates);
- added / removed: measured on one side only — never a regression.

The threshold is symmetric on the ratio scale: 10 % slower is a ratio of
1.10, and "10 % faster" the ratio 1 / 1.10, so halving and doubling are
equally far from no change.

Why both time ÷ reference and the times (``benchmarks/reference.py``): each
is fooled by a different thing, and a change of the code moves both. A
machine slower for a whole run moves the times and their references alike
(measured here: a quick run during a package install had its references
37 % slower and its times 20-50 % slower; the times alone flagged 51
series, the ratios none). But the reference call is mostly a client-server
round trip whose wake-ups get *faster* when the other core is busy, while
a longer query, mostly work, does not: a run beside a type checker had its
``SELECT 1`` 30 % faster and its times 0-15 % faster, and the ratios flagged
13 series by +40 %, the times none. So a series with references is tested
on time ÷ reference (significance: the machine's speed taken out), and
regressed only when both it and the times themselves changed beyond its
threshold, the same way (large: what a user of the code would see).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np

from reports.estimates import RESAMPLES
from reports.regress.run_noise import RunNoise, run_noise_p
from reports.regress.samples import Samples, SeriesKey
from reports.regress.significance import (
    Array,
    Change,
    adjusted,
    block_spread,
    block_test,
    log_t_test,
    mean_log_change,
    median_change,
    rank_test,
    smallest_rank_p,
    typical_variance,
)
from reports.regress.thresholds import Thresholds

SeriesWord = Literal["regressed", "improved", "unchanged", "not compared", "added", "removed"]
SERIES_WORDS: tuple[SeriesWord, ...] = get_args(SeriesWord)
# A benchmark series' p-value is the largest of these (each a valid test of "no change").
RANK_TEST = "Mann-Whitney U on the rounds"
BLOCK_TEST = "t on the block medians"
SPREAD_TEST = "t against the calibrated A/A spread"
LOG_T_TEST = "Student t on the log figures of the repetitions"
RELATIVE = "time ÷ reference"  # what a benchmark series' change and tests are of, given references


@dataclass(frozen=True)
class Comparison:
    key: SeriesKey
    n_baseline: int
    n_candidate: int
    baseline: float | None  # the central figure: median round, geometric mean of repetitions
    candidate: float | None
    change: Change | None
    p: float | None
    q: float | None  # p corrected over the family (None: not in it)
    test: str
    threshold: float
    threshold_from: str
    verdict: SeriesWord
    reason: str
    # What the change and the tests are of: the metric, or RELATIVE (each round's time over
    # its reference call's, benchmarks/reference.py); baseline and candidate stay the metric's.
    measure: str = ""
    raw_change: float | None = None  # the change of the metric's own central figure

    def document(self) -> dict[str, Any]:
        change = self.change
        return {
            "id": self.key.label,
            **self.key.document(),
            "unit": "s" if self.key.metric != "throughput" else "1/s",
            "higher_is_better": self.key.gated.higher_is_better,
            "sample": self.key.gated.sample,
            "n_baseline": self.n_baseline,
            "n_candidate": self.n_candidate,
            "baseline": self.baseline,
            "candidate": self.candidate,
            "change": None if change is None else change.value,
            "change_low": None if change is None else change.low,
            "change_high": None if change is None else change.high,
            "measure": self.measure or self.key.metric,
            "raw_change": self.raw_change,
            "p": self.p,
            "q": self.q,
            "test": self.test,
            "threshold": self.threshold,
            "threshold_from": self.threshold_from,
            "verdict": self.verdict,
            "reason": self.reason,
        }


def classify(
    change: float, q: float | None, *, alpha: float, threshold: float, higher_is_better: bool
) -> SeriesWord:
    """The verdict of one compared series from its change and its corrected p-value."""
    if q is None or q > alpha:
        return "unchanged"
    worse = math.log1p(change) * (-1 if higher_is_better else 1)
    limit = math.log1p(threshold)
    if worse > limit:
        return "regressed"
    if worse < -limit:
        return "improved"
    return "unchanged"


@dataclass(frozen=True)
class _Tested:
    key: SeriesKey
    n_baseline: int
    n_candidate: int
    change: Change
    baseline: float
    candidate: float
    p: float | None
    untestable: str  # why there is no p in the family ("" when there is)
    test: str = RANK_TEST  # what the p-value comes from


def _central(values: np.ndarray[Any, np.dtype[np.float64]], rounds: bool) -> float:
    return float(np.median(values)) if rounds else float(np.exp(np.mean(np.log(values))))


def _test(
    key: SeriesKey,
    base: np.ndarray[Any, Any],
    cand: np.ndarray[Any, Any],
    *,
    alpha: float,
    resamples: int,
    noise: RunNoise | None,
    runs: tuple[int, int],
    block_p: float | None,
    shown: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] | None = None,
) -> _Tested:
    """One series tested; ``shown``: the times of a series tested relative (its figures)."""
    rounds = key.gated.sample == "rounds"
    shown_b, shown_c = shown if shown is not None else (base, cand)
    centre_b, centre_c = _central(shown_b, rounds), _central(shown_c, rounds)
    if rounds:
        change = median_change(base, cand, resamples=resamples)
        smallest = smallest_rank_p(len(base), len(cand))
        if smallest > alpha:
            return _Tested(
                key,
                len(base),
                len(cand),
                change,
                centre_b,
                centre_c,
                None,
                f"too few rounds to test ({len(base)} and {len(cand)}: the smallest "
                f"p-value they allow is {smallest:.2g})",
            )
        p_rounds = rank_test(base, cand)
        tests = [RANK_TEST]
        if block_p is not None:
            p_rounds, tests = max(p_rounds, block_p), [*tests, BLOCK_TEST]
        if noise is not None:
            p_rounds = max(p_rounds, run_noise_p(math.log1p(change.value), noise, runs=runs))
            tests.append(SPREAD_TEST)
        return _Tested(
            key, len(base), len(cand), change, centre_b, centre_c, p_rounds, "", " and ".join(tests)
        )
    change = mean_log_change(base, cand)
    p = log_t_test(base, cand)
    if p is None:
        return _Tested(
            key,
            len(base),
            len(cand),
            change,
            centre_b,
            centre_c,
            None,
            f"too few repetitions to test ({len(base)} and {len(cand)})",
        )
    return _Tested(key, len(base), len(cand), change, centre_b, centre_c, p, "")


def _block_ps(
    baseline: Samples,
    candidate: Samples,
    blocks: tuple[Mapping[SeriesKey, Array], Mapping[SeriesKey, Array]] | None,
    keys: list[SeriesKey],
) -> dict[SeriesKey, float]:
    """The block test's p-value per benchmark series, each shrunk towards its suite's typical
    block variance (a machine's bursts hit one suite's calls alike)."""
    if blocks is None:
        return {}
    spreads = {
        key: block_spread(baseline[key], blocks[0][key], candidate[key], blocks[1][key])
        for key in keys
        if key.gated.sample == "rounds" and key in blocks[0] and key in blocks[1]
    }
    typical = {
        suite: typical_variance([s for k, s in spreads.items() if k.suite == suite])
        for suite in {key.suite for key in spreads}
    }
    found = {key: block_test(spread, typical[key.suite]) for key, spread in spreads.items()}
    return {key: p for key, p in found.items() if p is not None}


def compare(
    baseline: Samples,
    candidate: Samples,
    thresholds: Thresholds,
    *,
    not_compared: Mapping[SeriesKey, str] | None = None,
    resamples: int = RESAMPLES,
    run_noise: Mapping[SeriesKey, RunNoise] | None = None,
    runs: tuple[int, int] = (1, 1),
    blocks: tuple[Mapping[SeriesKey, Array], Mapping[SeriesKey, Array]] | None = None,
    shown: tuple[Samples, Samples] | None = None,
    relative: frozenset[SeriesKey] = frozenset(),
) -> list[Comparison]:
    """Every series of either side with its verdict (``resamples`` 0: no intervals, faster).

    ``run_noise`` (a calibration) adds the A/A-spread test to the benchmark
    series it knows (:mod:`reports.regress.run_noise`); ``runs`` is how many
    runs each side pooled. ``blocks`` (each side's block of every round, as
    ``gated_samples`` gives them) adds the block test. ``relative``: the
    series whose samples are time ÷ reference (``compared_samples``), and
    ``shown`` the times their baseline and candidate figures are of.
    """
    refused = not_compared or {}
    noises = run_noise or {}
    both = sorted(set(baseline) & set(candidate))
    displayed = shown or (baseline, candidate)
    kept = [k for k in both if k not in refused]
    block_ps = _block_ps(baseline, candidate, blocks, kept)
    tested = [
        _test(
            key,
            baseline[key],
            candidate[key],
            alpha=thresholds.alpha,
            resamples=resamples,
            noise=noises.get(key),
            runs=runs,
            block_p=block_ps.get(key),
            shown=(displayed[0][key], displayed[1][key]) if key in relative else None,
        )
        for key in kept
    ]
    family = [t for t in tested if t.p is not None]
    q_values = adjusted([t.p for t in family if t.p is not None], thresholds.control)
    corrected = {t.key: float(q) for t, q in zip(family, q_values, strict=True)}
    results = [
        _judged(
            t, corrected.get(t.key), thresholds, len(family), noises.get(t.key), t.key in relative
        )
        for t in tested
    ]
    for key in sorted(refused):
        if key in baseline or key in candidate:
            results.append(
                _one_sided(key, baseline, candidate, thresholds, "not compared", refused[key])
            )
    for key in sorted(set(baseline) - set(candidate) - set(refused)):
        results.append(
            _one_sided(
                key, baseline, candidate, thresholds, "removed", "measured in the baseline only"
            )
        )
    for key in sorted(set(candidate) - set(baseline) - set(refused)):
        results.append(
            _one_sided(
                key, baseline, candidate, thresholds, "added", "measured in the candidate only"
            )
        )
    return sorted(results, key=lambda c: c.key)


def _judged(
    tested: _Tested,
    q: float | None,
    thresholds: Thresholds,
    family: int,
    noise: RunNoise | None,
    relative: bool,
) -> Comparison:
    key = tested.key
    threshold, source = thresholds.for_series(key)
    gated = key.gated

    def verdict_of(change: float) -> SeriesWord:
        return classify(
            change, q, alpha=thresholds.alpha, threshold=threshold,
            higher_is_better=gated.higher_is_better,
        )  # fmt: skip

    verdict = verdict_of(tested.change.value)
    raw_change = tested.candidate / tested.baseline - 1.0 if tested.baseline else None
    times = raw_change if relative else None  # the times themselves must agree (module doc)
    if tested.untestable:
        reason = tested.untestable
    elif q is not None and q > thresholds.alpha:
        reason = f"not significant (corrected over {family} series)"
    elif times is not None and verdict_of(times) != verdict:
        verdict = "unchanged"
        reason = (
            f"significant, but time ÷ reference changed by {tested.change.value:+.1%} and the "
            f"times by {times:+.1%}: both must be beyond the {threshold:.0%} threshold, the "
            "same way"
        )
    elif verdict == "unchanged":
        reason = f"significant, but within the {threshold:.0%} threshold"
    else:
        reason = f"significant over {family} series and beyond the {threshold:.0%} threshold"
    if noise is not None and threshold < noise.safe_threshold:
        # Said on every row of such a series, so a pass is never mistaken for evidence.
        safe = f"{noise.safe_threshold:.0%}" if math.isfinite(noise.safe_threshold) else "none"
        reason += f"; too noisy here to gate on {threshold:.0%} (calibrated safe threshold {safe})"
    rounds = gated.sample == "rounds"
    return Comparison(
        key=key,
        n_baseline=tested.n_baseline,
        n_candidate=tested.n_candidate,
        baseline=tested.baseline,
        candidate=tested.candidate,
        change=tested.change,
        p=tested.p,
        q=q,
        test=tested.test if rounds else LOG_T_TEST,
        threshold=threshold,
        threshold_from=source,
        verdict=verdict,
        reason=reason,
        measure=RELATIVE if relative else key.metric,
        raw_change=raw_change,
    )


def _one_sided(
    key: SeriesKey,
    baseline: Samples,
    candidate: Samples,
    thresholds: Thresholds,
    verdict: SeriesWord,
    reason: str,
) -> Comparison:
    rounds = key.gated.sample == "rounds"
    base, cand = baseline.get(key), candidate.get(key)
    threshold, source = thresholds.for_series(key)
    return Comparison(
        key=key,
        n_baseline=0 if base is None else len(base),
        n_candidate=0 if cand is None else len(cand),
        baseline=None if base is None else _central(base, rounds),
        candidate=None if cand is None else _central(cand, rounds),
        change=None,
        p=None,
        q=None,
        test="",
        threshold=threshold,
        threshold_from=source,
        verdict=verdict,
        reason=reason,
    )
