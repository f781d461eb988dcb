"""The statistics a claim can be judged by: one declared row each, read by judging and the page.

A row says what a claim must give to use the statistic (its suites, fields,
defaults), how it is estimated from a run folder (``estimate``, in
``reports/evidence.py``; the arithmetic is ``reports/estimates.py``) and which
evidence section the report draws under the claim (``section``: the page maps
each :class:`Section` to its drawing, so judging never imports the page). A new
statistic is one row here; ``tests/reports/test_statistics.py`` checks that
every row has each part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from reports import evidence
from reports.per_rate import at_rates
from reports.witnesses import witnessed

if TYPE_CHECKING:
    from reports.claims import Claim
    from reports.evidence import Evidence
    from reports.run_folder import RunFolder

    Estimator = Callable[[Claim, RunFolder], Evidence]


class Section(StrEnum):
    """What the report draws under a claim: the data its verdict came from."""

    ROUNDS = "every benchmark round of both arms"
    PAIRS = "each repetition's pair of load runs"
    RUNS = "every load run of one arm"
    GROWTH = "the growth fit"
    CHECK = "what a functional check saw"


@dataclass(frozen=True)
class Statistic:
    """One way of turning evidence into a number, and what a claim must say to use it."""

    name: str
    summary: str  # what the number is, for the report
    suites: tuple[str, ...]  # the first is the default
    fields: tuple[str, ...]  # the claim keys it reads
    required: tuple[str, ...]
    unit: str  # the unit of independence of its interval
    section: Section
    # None: met or not met by running a check, no interval; or, for a claim that holds
    # one of the check's counts to a number, by that count (reports/evaluate.py).
    estimate: Estimator | None
    fraction: bool = True  # claimed values are fractions (0.85 = 85 %)
    default_metric: str = ""
    metrics: tuple[str, ...] = ()
    default_models: tuple[str, ...] = ()

    @property
    def functional(self) -> bool:
        return self.estimate is None


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
            fields=("series", "baseline", "candidate", "at_rows"),
            required=("series", "baseline", "candidate"),
            unit="benchmark rounds",
            section=Section.ROUNDS,
            estimate=evidence.median_reduction_of_rounds,
        ),
        Statistic(
            "paired_reduction",
            "1 - mean(candidate) / mean(baseline) of a per-window figure, the arms paired "
            "within each unit (one short window per arm, in random order)",
            suites=("load",),
            fields=("series", "baseline", "candidate", "metric", "models", "precision"),
            required=("series", "baseline", "candidate"),
            unit="paired units (one window per arm, arms in random order)",
            section=Section.PAIRS,
            estimate=at_rates(witnessed(evidence.paired_reduction_of_runs)),
            default_metric="intended_mean",
            metrics=(*LATENCY_METRICS, *PER_REQUEST_METRICS),
            default_models=("open",),
        ),
        Statistic(
            "level",
            "the mean over one arm's windows of a per-window figure",
            suites=("load",),
            fields=("series", "arm", "metric", "models", "precision"),
            required=("arm",),
            unit="windows of the arm, one per paired unit",
            section=Section.RUNS,
            estimate=at_rates(witnessed(evidence.level_of_runs)),
            default_metric="hit_ratio",
            metrics=("hit_ratio", "portal_hit_ratio"),
            default_models=("open",),
        ),
        Statistic(
            "absolute_reduction",
            "1 - indexed / unindexed time at the data size where the unindexed query "
            "takes the claimed time, from the growth fit",
            suites=("growth",),
            fields=("series", "before_s", "after_s"),
            required=("series", "before_s", "after_s"),
            unit="benchmark rounds over all sizes, resampled and refitted",
            section=Section.GROWTH,
            estimate=evidence.absolute_reduction_of_growth,
        ),
        Statistic(
            "check",
            "a functional check run against the real portal during the run (and, where the "
            "claim names scenarios, those fault scenarios under load held too)",
            suites=("checks",),
            fields=("check", "scenarios", "count"),
            required=("check",),
            unit="check",
            section=Section.CHECK,
            estimate=None,
            fraction=False,
        ),
    )
}
