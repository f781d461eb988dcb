"""Calibration from A/A runs (the same code measured several times): per series, how noisy it is
and which thresholds it can gate on without flapping.

On the log scale (a ratio is what a slowdown is), for one series over k runs:

- ``within``: the spread of one sample inside a run (robust: 1.4826 x MAD of
  the log rounds; for load figures the sd of the log repetitions);
- ``between``: the sd of the runs' central figures — what one run's median
  moves by from run to run, the within-run sampling noise of the median and
  every run-wide effect (a neighbour, the time of day, a cache) together;
- the A/A spread of a comparison, ``sqrt(2) x between``: how far two runs of
  the same code are apart.

From these, at the gate's significance ``alpha`` over a family of ``m``
series (a lone regression among ``m`` faces about ``alpha / m`` under both
Benjamini-Hochberg and Holm):

- ``safe threshold``: the smallest threshold an A/A comparison stays below
  with probability ``1 - alpha / m`` — a threshold under it flaps;
- ``detectable``: the smallest true slowdown flagged in 95 % of comparisons
  at the series' own threshold: the observed change must clear both the
  threshold and the change at which the test turns significant, with the
  A/A spread around it;
- status: ``ok``, ``noisy`` (threshold below the safe one) or ``untestable``
  (too few samples for the test to ever reach the level).

Beside the model, every pair of the given runs is compared by the gate
itself and each series' false flags are counted — the empirical check.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from reports.regress.compare import RELATIVE, compare
from reports.regress.samples import Samples, SeriesKey
from reports.regress.significance import PRIOR_DF, Array, smallest_rank_p
from reports.regress.thresholds import Thresholds

POWER = 0.95
MAD_TO_SD = 1.4826  # the MAD of a normal sample times this is its standard deviation
RANK_VARIANCE = math.pi / 3  # a rank test needs pi/3 times the samples of a t-test (normal data)


@dataclass(frozen=True)
class Noise:
    runs: int
    n: int  # samples per run (the median over runs)
    within: float  # log-scale sd of one sample inside a run
    between: float  # log-scale sd of a run's central figure across runs
    block: float = math.nan  # log-scale sd of a block's median inside a run (rounds only)
    blocks: int = 0  # blocks per run


@dataclass(frozen=True)
class Calibration:
    key: SeriesKey
    noise: Noise
    threshold: float
    safe_threshold: float  # math.inf: no threshold is safe (too few runs to tell)
    detectable: float  # math.inf: never detected (too few samples)
    status: str
    aa_flags: int  # pairs of runs the gate itself flagged this series in
    aa_pairs: int
    measure: str = ""  # what the noise is of: the metric, or time ÷ reference

    def document(self) -> dict[str, Any]:
        def finite(value: float) -> float | None:
            return value if math.isfinite(value) else None

        return {
            "id": self.key.label,
            **self.key.document(),
            "measure": self.measure or self.key.metric,
            "runs": self.noise.runs,
            "n_per_run": self.noise.n,
            "within_noise": self.noise.within,
            "between_noise": self.noise.between,
            "block_noise": self.noise.block if math.isfinite(self.noise.block) else None,
            "blocks_per_run": self.noise.blocks,
            "threshold": self.threshold,
            "safe_threshold": finite(self.safe_threshold),
            "detectable": finite(self.detectable),
            "status": self.status,
            "aa_flags": self.aa_flags,
            "aa_pairs": self.aa_pairs,
        }


def _logs(values: Array) -> Array:
    result: Array = np.log(np.asarray(values, dtype=np.float64))
    return result


def _block_noise(logs: Sequence[Array], labels: Sequence[Array]) -> tuple[float, int]:
    """The pooled sd of the log block medians within each run, and the blocks per run."""
    squares, df, counts = 0.0, 0, []
    for values, blocks in zip(logs, labels, strict=True):
        medians = np.array([np.median(values[blocks == b]) for b in np.unique(blocks)])
        squares += float(((medians - medians.mean()) ** 2).sum())
        df += len(medians) - 1
        counts.append(len(medians))
    return (math.sqrt(squares / df) if df else math.nan), int(np.median(counts))


def noise_of(
    per_run: Sequence[Array], *, rounds: bool, blocks: Sequence[Array] | None = None
) -> Noise:
    """The within- and between-run noise of one series over its A/A runs (two runs at least);
    ``blocks``, each run's block labels, adds the block noise the block test sees."""
    if len(per_run) < 2 or any(len(values) == 0 for values in per_run):
        raise ValueError("noise needs two runs or more, each with samples")
    logs = [_logs(values) for values in per_run]
    block, count = _block_noise(logs, blocks) if rounds and blocks is not None else (math.nan, 0)
    if rounds:
        within = float(np.median([MAD_TO_SD * np.median(np.abs(v - np.median(v))) for v in logs]))
        centres = np.array([np.median(v) for v in logs])
    else:
        spread = [float(v.var(ddof=1)) for v in logs if len(v) > 1]
        within = math.sqrt(float(np.mean(spread))) if spread else math.nan
        centres = np.array([v.mean() for v in logs])
    n = int(np.median([len(v) for v in logs]))
    return Noise(len(logs), n, within, float(centres.std(ddof=1)), block, count)


def critical_change(noise: Noise, *, level: float, rounds: bool) -> float:
    """The log change at which the gate's test turns significant at ``level`` (inf: never)."""
    from scipy import stats

    n = noise.n
    if rounds:
        if smallest_rank_p(n, n) > level:
            return math.inf
        z = float(stats.norm.ppf(1 - level / 2))
        rank = z * noise.within * math.sqrt(2 / n * RANK_VARIANCE)
        if noise.blocks < 1 or not math.isfinite(noise.block):
            return rank
        # the block test: block medians, their variance as the gate shrinks it (about)
        t = float(stats.t.ppf(1 - level / 2, PRIOR_DF + 2 * (noise.blocks - 1)))
        return max(rank, t * noise.block * math.sqrt(2 / noise.blocks))
    if n < 2 or not math.isfinite(noise.within):
        return math.inf
    t = float(stats.t.ppf(1 - level / 2, 2 * n - 2))
    return t * noise.within * math.sqrt(2 / n)


def safe_threshold(noise: Noise, *, level: float) -> float:
    """The smallest threshold two A/A runs exceed with probability at most ``level`` (one-sided)."""
    from scipy import stats

    return math.expm1(float(stats.norm.ppf(1 - level)) * math.sqrt(2) * noise.between)


def detectable_change(noise: Noise, *, threshold: float, level: float, rounds: bool) -> float:
    """The smallest true slowdown the gate flags with probability :data:`POWER`."""
    from scipy import stats

    needed = max(math.log1p(threshold), critical_change(noise, level=level, rounds=rounds))
    if not math.isfinite(needed):
        return math.inf
    return math.expm1(needed + float(stats.norm.ppf(POWER)) * math.sqrt(2) * noise.between)


def status_of(threshold: float, safe: float, detectable: float) -> str:
    if not math.isfinite(detectable):
        return "untestable"
    return "noisy" if threshold < safe else "ok"


def aa_flags(
    runs: Sequence[Samples],
    thresholds: Thresholds,
    blocks: Sequence[Mapping[SeriesKey, Array]] | None = None,
    *,
    shown: Sequence[Samples] | None = None,
    relative: frozenset[SeriesKey] = frozenset(),
) -> tuple[dict[SeriesKey, int], int]:
    """How often the gate itself flags each series over every pair of the A/A runs
    (``shown``: each run's times, for the series tested relative, as the gate tests them)."""
    if relative and shown is None:
        raise ValueError("series tested relative need their times (shown) to be judged")
    flags: dict[SeriesKey, int] = {}
    pairs = list(itertools.combinations(range(len(runs)), 2))
    for first, second in pairs:
        pair = None if blocks is None else (blocks[first], blocks[second])
        found = compare(
            runs[first],
            runs[second],
            thresholds,
            resamples=0,
            blocks=pair,
            shown=None if shown is None else (shown[first], shown[second]),
            relative=relative,
        )
        for comparison in found:
            if comparison.verdict in ("regressed", "improved"):
                flags[comparison.key] = flags.get(comparison.key, 0) + 1
    return flags, len(pairs)


def calibrate(
    runs: Sequence[Samples],
    thresholds: Thresholds,
    blocks: Sequence[Mapping[SeriesKey, Array]] | None = None,
    relative: frozenset[SeriesKey] = frozenset(),
    *,
    shown: Sequence[Samples] | None = None,
) -> list[Calibration]:
    """Every series measured in all ``runs`` (two or more A/A runs), calibrated.

    ``blocks`` (each run's block labels, as ``gated_samples`` gives them) lets
    the A/A pairs be judged exactly as the gate judges two runs; ``relative``
    names the series whose samples are time ÷ reference (``compared_samples``), and
    ``shown`` each run's times, which the gate tests too.
    """
    if len(runs) < 2:
        raise ValueError("calibration needs two A/A runs or more")
    common = sorted(set.intersection(*(set(run) for run in runs)))
    level = thresholds.alpha / max(1, len(common))
    flags, pairs = aa_flags(runs, thresholds, blocks, shown=shown, relative=relative)
    found: list[Calibration] = []
    for key in common:
        rounds = key.gated.sample == "rounds"
        labels = None if blocks is None or not rounds else [b[key] for b in blocks]
        noise = noise_of([run[key] for run in runs], rounds=rounds, blocks=labels)
        threshold, _ = thresholds.for_series(key)
        safe = safe_threshold(noise, level=level)
        detectable = detectable_change(noise, threshold=threshold, level=level, rounds=rounds)
        status = status_of(threshold, safe, detectable)
        measure = RELATIVE if key in relative else key.metric
        found.append(
            Calibration(
                key, noise, threshold, safe, detectable, status, flags.get(key, 0), pairs, measure
            )
        )
    return found
