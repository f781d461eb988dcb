"""The statistics a claim can be judged by, as names and rules: one declared row each.

A row says what a claim must give to use the statistic (its suites, fields,
defaults, metrics), the unit of independence of its interval and which
evidence section the report draws under the claim. It imports nothing that
measures or judges, so a claims file can be checked against it anywhere,
also on the target path that never imports the portal (``perfproof/targets``).
``reports/statistics.py`` attaches each row's estimator (``reports/evidence.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


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
    # Met or not met by running a check, no interval; or, for a claim that holds one of
    # the check's counts to a number, by that count (reports/evaluate.py).
    functional: bool = False
    fraction: bool = True  # claimed values are fractions (0.85 = 85 %)
    default_metric: str = ""
    metrics: tuple[str, ...] = ()
    default_models: tuple[str, ...] = ()
    # How it is estimated from a run folder: attached by ``reports/statistics.py`` (the
    # judging side), None here and for a functional check.
    estimate: Callable[..., Any] | None = None


LATENCY_METRICS = tuple(
    f"{kind}_{stat}" for kind in ("intended", "latency") for stat in ("mean", "p50", "p90", "p99")
)
PER_REQUEST_METRICS = ("db_statements_per_request", "portal_statements_per_request")

# A load claim's precision target (the half-width its interval should reach) per load
# profile, when its claims file gives none.
DEFAULT_PRECISION: Mapping[str, float] = {"quick": 0.25, "default": 0.10}


def precision_for(given: object, profile: str) -> float:
    """A claim's ``precision`` (one number, or one per profile, already checked) at ``profile``."""
    if isinstance(given, dict):
        value = given.get(profile, DEFAULT_PRECISION.get(profile, 0.10))
    elif isinstance(given, int | float) and not isinstance(given, bool):
        value = given
    else:
        value = DEFAULT_PRECISION.get(profile, 0.10)
    return float(value)


ROWS: tuple[Statistic, ...] = (
    Statistic(
        "median_reduction",
        "1 - median(candidate) / median(baseline) of one call's time",
        suites=("queries", "endpoints"),
        fields=("series", "baseline", "candidate", "at_rows"),
        required=("series", "baseline", "candidate"),
        unit="benchmark rounds",
        section=Section.ROUNDS,
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
        functional=True,
        fraction=False,
    ),
)
