"""The load claims a paired-unit run watches: each one's figure per window, interval, target.

A sequential run needs to know, after every unit, how precise each load
claim's estimate already is. The claims file sits above the load tests
(``reports/claims.py``), so the tool hands the load tests what they need as
plain rows (``perfproof/loadtest_command.py``): which arm or pair of arms,
which figure over which routes, and the half-width to reach. The same
figures are what the report judges from the run folder's tidy rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from loadtests.arm_run import ArmRun
from loadtests.guard import run_problems
from loadtests.recorder import RouteRecord, mean_us
from loadtests.sequential import Interval, level, ratio_reduction

Metric = Literal["intended_mean", "latency_mean", "hit_ratio", "db_statements_per_request"]
METRICS: tuple[Metric, ...] = (
    "intended_mean", "latency_mean", "hit_ratio", "db_statements_per_request"
)  # fmt: skip
Model = Literal["open", "closed"]


@dataclass(frozen=True)
class Watched:
    """One load claim as the run watches it."""

    id: str
    kind: Literal["level", "paired"]
    metric: Metric
    routes: tuple[str, ...]  # empty: every request
    half_width: float  # the precision target, a fraction (0.03 is 3 points)
    arm: str = ""  # level: the arm measured
    baseline: str = ""  # paired: 1 - candidate/baseline
    candidate: str = ""
    # The load model whose windows it reads: the portal's claims and the sequential run
    # watch the open model's paired units; a target may judge its closed ones too.
    model: Model = "open"

    @property
    def arms(self) -> tuple[str, ...]:
        return (self.arm,) if self.kind == "level" else (self.baseline, self.candidate)


def figure(run: ArmRun, metric: Metric, routes: Sequence[str]) -> float | None:
    """One window's figure over ``routes`` (every request when empty); None when it has none.

    As the report computes it from the tidy rows (``reports/evidence.py``): every
    request together, or the routes' own figures weighted by their requests.
    """
    key = (metric, tuple(routes))
    if key not in run.figures:
        run.figures[key] = _figure(run, metric, routes)
    return run.figures[key]


def _figure(run: ArmRun, metric: Metric, routes: Sequence[str]) -> float | None:
    measured = run.recorded["measured"].routes
    if metric == "db_statements_per_request":
        calls = run.servers.get("pg_stat_statements_calls")
        total = sum(record.requests for record in measured.values())
        return calls / total if calls is not None and total else None
    if not routes:
        everything = RouteRecord()
        for record in measured.values():
            everything.add(record)
        return _of_record(everything, metric)
    pairs = [
        (value, measured[route].requests)
        for route in routes
        if route in measured and (value := _of_record(measured[route], metric)) is not None
    ]
    weight = sum(requests for _, requests in pairs)
    return sum(value * requests for value, requests in pairs) / weight if weight else None


def _of_record(record: RouteRecord, metric: Metric) -> float | None:
    if metric == "hit_ratio":
        hits, misses = record.x_cache.get("HIT", 0), record.x_cache.get("MISS", 0)
        return hits / (hits + misses) if hits + misses else None
    # latency_mean: from the actual send (both models); intended_mean: from the intended
    # start (the open model's schedule).
    histogram = record.service if metric == "latency_mean" else record.intended
    return mean_us(histogram) / 1e6 if histogram.get_total_count() else None


def unit_figures(watched: Watched, runs: Sequence[ArmRun]) -> list[tuple[int, list[float]]]:
    """Per complete unit (in order) of the claim's model: the figure of each of its arms.

    Left out as the report leaves them out (``reports/evidence.py``): a window the
    validity guard marked, and for a paired claim every unit holding a marked window.
    """
    model_runs = [run for run in runs if run.model == watched.model]
    marked = {run.name for run in model_runs if run_problems(run.facts())}
    spoiled = {run.repetition for run in model_runs if run.name in marked}
    by_unit: dict[int, dict[str, float]] = {}
    for run in model_runs:
        if run.arm.name not in watched.arms or run.name in marked:
            continue
        if watched.kind == "paired" and run.repetition in spoiled:
            continue
        value = figure(run, watched.metric, watched.routes)
        if value is not None:
            by_unit.setdefault(run.repetition, {})[run.arm.name] = value
    return [
        (unit, [found[arm] for arm in watched.arms])
        for unit, found in sorted(by_unit.items())
        if all(arm in found for arm in watched.arms)
    ]


def interval_of(watched: Watched, runs: Sequence[ArmRun], alpha: float) -> Interval | None:
    """The claim's interval over the complete units so far; None before the first."""
    units = unit_figures(watched, runs)
    if not units:
        return None
    if watched.kind == "level":
        return level([values[0] for _, values in units], alpha)
    # Every unit, a zero included (all-hit windows send no statement): dropping one would
    # bias the ratio of means.
    return ratio_reduction([v[0] for _, v in units], [v[1] for _, v in units], alpha)


def within_target(watched: Watched, found: Interval | None) -> bool:
    return (
        found is not None
        and found.half_width is not None
        and (found.half_width <= watched.half_width)
    )
