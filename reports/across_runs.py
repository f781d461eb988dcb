"""One claim over several runs: does one run's interval hold the spread between runs, and what do
the runs say together?

A run's interval is about that run: its units, at the operating point it set, on the machine
as it was then. Between runs more can move. Five default runs of one clone read api-latency
71.3, 78.9, 71.2, 66.8 and 64.1 %: a standard deviation of 5.6 points where the runs' own
intervals (±2.8 to ±7.7) imply about 2.7. Nothing inside one run can see that part, so it
takes several runs, and two questions about them:

- **Does a run's interval hold the spread between runs?** If every run estimates one truth,
  the estimates spread by about their standard error, ``half-width / 1.96``. The check is
  the one the project holds its own intervals to (issue 24): the standard deviation of the
  estimates at most twice the mean half-width over 1.96. For five runs sharing one truth a
  standard deviation beyond twice the standard error has a chance of about 0.3 % (4 degrees
  of freedom: chi-square above 16), so a failure says the runs do not share one truth:
  something that varies between runs and not within one moves the estimate.
- **What do the runs say together?** A random-effects model: each run's estimate is the
  truth, plus a shift of its own (standard deviation tau, between runs), plus its own error
  (its interval's). tau^2 by Paule and Mandel; the interval by Hartung, Knapp, Sidik and
  Jonkman (a t with k - 1 degrees of freedom on a scale estimated from the spread), the
  combination recommended for few studies (IntHout, Ioannidis & Borm 2014, BMC Medical
  Research Methodology 14:25; Veroniki et al. 2016, Research Synthesis Methods 7:55), from
  statsmodels' ``combine_effects``. Plain HKSJ covered 93.4-95.3 % on five and three
  simulated runs (6,000 each, unequal run errors, tau from none to twice a run's error), so
  its standard error is never taken below the fixed-scale one (the modification of Röver,
  Knapp & Friede 2015, BMC Medical Research Methodology 15:99): 95.3-99.5 % at five runs,
  96.8-100 % at three, conservative where the runs agree. ``tests/reports/test_across_runs.py``
  proves it on synthetic runs with a known answer. The claim's own rule
  (``reports/verdict_rule.py``) then gives a verdict across the runs.

Each run's standard error is read from its interval as ``half-width / 1.96``. A load run's
interval is a sequential one at a smaller alpha (``loadtests/sequential.py``) and is
asymmetric (Fieller's), so that overstates its standard error a little: the check above is
then the more lenient, the pooled interval's scale is estimated from the spread anyway.
"""

from __future__ import annotations

import json
import math
import statistics
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects

from reports.verdict_rule import Claimed, Word, verdict_for

Z95 = 1.959963984540054  # a 95 % interval's half-width in standard errors
SPREAD_FACTOR = 2.0  # the estimates' SD may be this many times the runs' standard error


class AcrossError(ValueError):
    """A run folder that cannot be read: one line for the user, exit 2."""


@dataclass(frozen=True)
class RunEstimate:
    """One run's estimate of one claim, and its 95 % interval."""

    run: str
    measured: float
    low: float
    high: float
    scale: str

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    @property
    def standard_error(self) -> float:
        return self.half_width / Z95


@dataclass(frozen=True)
class Pooled:
    """One claim over the runs that estimated it."""

    claim: str
    percent: bool
    claimed: Claimed | None
    runs: tuple[RunEstimate, ...]
    estimate: float | None = None  # the random-effects mean
    low: float | None = None
    high: float | None = None
    tau: float | None = None  # the between-run standard deviation
    i2: float | None = None  # the share of the spread that is between runs (0 to 1)
    not_pooled: str = ""  # why there is no estimate across the runs

    @property
    def spread(self) -> float:
        """The standard deviation of the runs' estimates."""
        return statistics.stdev(r.measured for r in self.runs) if len(self.runs) > 1 else 0.0

    @property
    def spread_allowed(self) -> float:
        """What the runs' own intervals allow: twice their mean standard error."""
        return SPREAD_FACTOR * statistics.mean(r.standard_error for r in self.runs)

    @property
    def spread_held(self) -> bool:
        return self.spread <= self.spread_allowed

    @property
    def verdict(self) -> Word | None:
        if self.claimed is None or self.estimate is None:
            return None
        return verdict_for(self.claimed, self.low, self.high)

    def document(self) -> dict[str, Any]:
        return {
            "claim": self.claim,
            "runs": [r.run for r in self.runs],
            "estimates": [r.measured for r in self.runs],
            "half_widths": [r.half_width for r in self.runs],
            "estimate": self.estimate,
            "low": self.low,
            "high": self.high,
            "tau": self.tau,
            "i2": self.i2,
            "spread_sd": self.spread,
            "spread_allowed": self.spread_allowed,
            "spread_held": self.spread_held,
            "verdict": self.verdict,
            "not_pooled": self.not_pooled,
            "percent": self.percent,
        }


def pool(claim: str, runs: Sequence[RunEstimate], claimed: Claimed | None, percent: bool) -> Pooled:
    """The random-effects estimate of ``claim`` over ``runs`` (Paule-Mandel, HKSJ)."""
    said = Pooled(claim=claim, percent=percent, claimed=claimed, runs=tuple(runs))
    if len(runs) < 2:
        return _with(said, not_pooled="one run: nothing to compare it with")
    scales = sorted({r.scale for r in runs})
    if len(scales) > 1:
        return _with(said, not_pooled=f"the runs are at different scales ({', '.join(scales)})")
    if any(r.half_width <= 0 for r in runs):
        return _with(said, not_pooled="a run's interval has no width: nothing to weigh it by")
    effect = np.array([r.measured for r in runs], dtype=float)
    variance = np.array([r.standard_error**2 for r in runs], dtype=float)
    with warnings.catch_warnings():  # the runs' own intervals are not recomputed: no nobs
        warnings.simplefilter("ignore")
        result = combine_effects(effect, variance, method_re="pm", use_t=True)
    # HKSJ's standard error, never below the fixed-scale one (Röver, Knapp & Friede 2015).
    error = max(float(result.sd_eff_w_re_hksj), float(result.sd_eff_w_re))
    estimate = float(result.mean_effect_re)
    half = float(stats.t.ppf(0.975, len(runs) - 1)) * error
    return _with(
        said,
        estimate=estimate,
        low=estimate - half,
        high=estimate + half,
        tau=math.sqrt(max(float(result.tau2), 0.0)),
        i2=max(float(result.i2), 0.0),  # Q below its degrees of freedom: none between runs
    )


def _with(pooled: Pooled, **changes: Any) -> Pooled:
    return Pooled(**{**pooled.__dict__, **changes})


def read_verdicts(folder: Path) -> list[dict[str, Any]]:
    """The verdicts of one run folder's ``verdicts.json``, or an error naming what is wrong."""
    if not folder.is_dir():
        raise AcrossError(f"{folder}: not a run folder")
    path = folder / "verdicts.json"
    if not path.is_file():
        raise AcrossError(f"{folder}: no verdicts.json (perfproof report --run {folder} writes it)")
    try:
        document = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise AcrossError(f"{path}: unreadable ({error})") from error
    verdicts = document.get("verdicts") if isinstance(document, dict) else None
    if not isinstance(verdicts, list) or not all(isinstance(v, dict) for v in verdicts):
        raise AcrossError(f"{path}: not a verdicts file (no list of verdicts)")
    return verdicts


def estimate_of(run: str, verdict: Mapping[str, Any]) -> RunEstimate | None:
    """A verdict's estimate and interval, when it has them as finite numbers."""
    numbers = [verdict.get(key) for key in ("measured", "low", "high")]
    if not all(isinstance(n, int | float) and not isinstance(n, bool) for n in numbers):
        return None
    measured, low, high = (float(n) for n in numbers)  # type: ignore[arg-type]
    if not all(math.isfinite(n) for n in (measured, low, high)) or low > high:
        return None
    return RunEstimate(run, measured, low, high, str(verdict.get("scale") or ""))


def pool_all(
    runs: Sequence[tuple[str, Sequence[Mapping[str, Any]]]], claimed: Mapping[str, Claimed]
) -> list[Pooled]:
    """Every claim some run estimated, in the first run's order, pooled over the runs."""
    order: list[str] = []
    found: dict[str, list[RunEstimate]] = {}
    percent: dict[str, bool] = {}
    for name, verdicts in runs:
        for verdict in verdicts:
            claim = str(verdict.get("id") or "")
            estimate = estimate_of(name, verdict)
            if not claim or estimate is None:
                continue
            if claim not in found:
                order.append(claim)
                found[claim] = []
                percent[claim] = bool(verdict.get("percent"))
            found[claim].append(estimate)
    return [pool(c, found[c], claimed.get(c), percent[c]) for c in order]
