"""Coverage of the sequential intervals, proved by simulating whole runs with known effects.

``python -m loadtests.coverage --runs 2000`` simulates that many sequential
runs per scenario: units arrive one at a time, the looks of
``loadtests.sequential.LOOKS`` fall at fractions of a budget of ``--units``
units, and a run stops at the first look where every claim's half-width is
within its target (or at the last look). It prints, per scenario, how often
the interval reported at the stop covers the true value, the mean units used,
the share of runs stopped early and the power against a bound 0.10 from the
truth. The record of a 2000-run table is ``docs/coverage.md``.

Every true value here is exact, from the generating distributions (all
lognormal factors have mean one), and it is the ratio of MEAN window
figures, stalls included: the estimand of a paired reduction.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from loadtests.sequential import LOOKS, Array, Interval, level, ratio_reduction

BASE_MS = 10.0  # the baseline arm's mean window latency
TRUE_REDUCTION = 0.5  # the candidate's mean is half the baseline's
WINDOW_CV = 0.3  # one window's mean around its arm's, within a unit
UNIT_SIGMA = 0.3  # the shared per-unit factor (log sd): a unit's machine state, both arms
STALL_SHARE = 1 / 8  # scenario 2: each window independently ...
STALL_FOLD = 50.0  # ... has this many times its usual mean
REQUESTS = 200  # scenario 3: requests per window ...
REQUEST_SIGMA = 0.5  # ... their log-latency sd ...
REQUEST_PHI = 0.95  # ... and its lag-one correlation (AR(1)), as in a queue
DRIFT_SIGMA = 0.3  # scenario 5: the machine state's log sd ...
DRIFT_GAIN = 0.6  # ... and the share of it the candidate is spared
HIT_RATIO = 0.75  # scenario 1's level claim: the true mean hit ratio of a window ...
HIT_CONCENTRATION = 60.0  # ... a window's own ratio ~ Beta(0.75 k, 0.25 k), its hits binomial
# The default profile's precision targets (half-widths, fractions).
REDUCTION_TARGET = 0.10
LEVEL_TARGET = 0.03
POWER_DISTANCE = 0.10  # power: the claimed bound lies this far below the truth
SEED = 20261202
UNITS = 28  # the budget, in units: what a default run reaches on the 2-core machine

RatioMethod = Callable[[Array, Array, float], Interval]
Draw = Callable[[np.random.Generator, int, int], tuple[Array, Array]]


def _lognormal(rng: np.random.Generator, cv: float, shape: tuple[int, ...]) -> Array:
    """Lognormal factors of mean one and coefficient of variation ``cv``."""
    sigma = math.sqrt(math.log1p(cv * cv))
    return rng.lognormal(-sigma * sigma / 2, sigma, shape)


def _unit_factor(rng: np.random.Generator, runs: int, units: int) -> Array:
    return rng.lognormal(-(UNIT_SIGMA**2) / 2, UNIT_SIGMA, (runs, units))


def no_stalls(
    rng: np.random.Generator,
    runs: int,
    units: int,
    base_cv: float = WINDOW_CV,
    cand_cv: float = WINDOW_CV,
) -> tuple[Array, Array]:
    """(1) Lognormal window means, both arms scaled by one shared factor per unit."""
    shared = _unit_factor(rng, runs, units)
    base = BASE_MS * shared * _lognormal(rng, base_cv, (runs, units))
    cand = BASE_MS * (1 - TRUE_REDUCTION) * shared * _lognormal(rng, cand_cv, (runs, units))
    return base, cand


def stalls(rng: np.random.Generator, runs: int, units: int) -> tuple[Array, Array]:
    """(2) As (1), and each window, arm by arm independently, may stall: a fifty-fold mean.

    Both arms' means grow by ``1 + STALL_SHARE * (STALL_FOLD - 1)``, so the
    true ratio of means, stalls included, is still ``1 - TRUE_REDUCTION``.
    """
    base, cand = no_stalls(rng, runs, units)
    fold = STALL_FOLD - 1
    base = base * (1 + fold * (rng.random((runs, units)) < STALL_SHARE))
    cand = cand * (1 + fold * (rng.random((runs, units)) < STALL_SHARE))
    return base, cand


def _correlated_window_means(rng: np.random.Generator, runs: int, units: int) -> Array:
    """Window means of ``REQUESTS`` lognormal latencies of mean one, AR(1) in the log."""
    innovation = REQUEST_SIGMA * math.sqrt(1 - REQUEST_PHI**2)
    log = rng.normal(0.0, REQUEST_SIGMA, (runs, units))  # started stationary: exact mean
    total = np.zeros((runs, units))
    for _ in range(REQUESTS):
        total += np.exp(log - REQUEST_SIGMA**2 / 2)
        log = REQUEST_PHI * log + rng.normal(0.0, innovation, (runs, units))
    result: Array = total / REQUESTS
    return result


def correlated_requests(rng: np.random.Generator, runs: int, units: int) -> tuple[Array, Array]:
    """(3) Each window's mean from 200 requests whose latencies are correlated (AR(1))."""
    shared = _unit_factor(rng, runs, units)
    base = BASE_MS * shared * _correlated_window_means(rng, runs, units)
    cand = BASE_MS * (1 - TRUE_REDUCTION) * shared * _correlated_window_means(rng, runs, units)
    return base, cand


def unequal_variances(rng: np.random.Generator, runs: int, units: int) -> tuple[Array, Array]:
    """(4) The baseline's windows spread far more (CV 0.6) than the candidate's (0.15)."""
    return no_stalls(rng, runs, units, base_cv=0.6, cand_cv=0.15)


def _ar1(rng: np.random.Generator, runs: int, units: int, rho: float, sigma: float) -> Array:
    """Stationary AR(1) states over the units of each run: sd ``sigma``, lag-one ``rho``."""
    states = np.empty((runs, units))
    states[:, 0] = rng.normal(0.0, sigma, runs)
    innovation = sigma * math.sqrt(1 - rho * rho)
    for unit in range(1, units):
        states[:, unit] = rho * states[:, unit - 1] + rng.normal(0.0, innovation, runs)
    return states


def drifting_machine(rho: float) -> Draw:
    """(5) The machine's speed drifts between units, and the effect with it.

    A log state, AR(1) over the units with lag-one correlation ``rho`` and sd
    ``DRIFT_SIGMA``, scales the baseline by ``exp(s)`` and the candidate by
    ``exp((1 - DRIFT_GAIN) s)``: on a slower machine the uncached arm queues
    more, so the reduction grows, as in a real run whose machine slowed. Each
    factor is normalised to mean one, so the true ratio of means is still
    ``1 - TRUE_REDUCTION``; the units of one run are no longer independent.
    """

    def draw(rng: np.random.Generator, runs: int, units: int) -> tuple[Array, Array]:
        state = _ar1(rng, runs, units, rho, DRIFT_SIGMA)
        kept = 1 - DRIFT_GAIN
        base_drift = np.exp(state - DRIFT_SIGMA**2 / 2)
        cand_drift = np.exp(kept * state - (kept * DRIFT_SIGMA) ** 2 / 2)
        base, cand = no_stalls(rng, runs, units)
        return base * base_drift, cand * cand_drift

    return draw


def hit_ratios(rng: np.random.Generator, runs: int, units: int) -> Array:
    """A hit-ratio-like figure per window: Beta-distributed ratio, binomial hits; mean 0.75."""
    ratio = rng.beta(
        HIT_RATIO * HIT_CONCENTRATION, (1 - HIT_RATIO) * HIT_CONCENTRATION, (runs, units)
    )
    result: Array = rng.binomial(REQUESTS, ratio) / REQUESTS
    return result


@dataclass(frozen=True)
class Scenario:
    name: str
    draw: Draw
    with_level: bool = False  # scenario 1 also judges a level claim, stopping on both


SCENARIOS = (
    Scenario("1 no stalls", no_stalls, with_level=True),
    Scenario("2 stalls, 1 in 8 windows x50", stalls),
    Scenario("3 requests AR(1) in a window", correlated_requests),
    Scenario("4 unequal CVs 0.6 / 0.15", unequal_variances),
    Scenario("5 machine drifts, AR(1) 0.5", drifting_machine(0.5)),
)
# Printed beside the table, held to no bar: where the intervals stop keeping their promise.
LIMITS = (Scenario("6 machine drifts, AR(1) 0.8 (a limit)", drifting_machine(0.8)),)


@dataclass(frozen=True)
class Coverage:
    scenario: str
    runs: int
    covered: float  # share of reduction intervals holding the truth
    level_covered: float | None  # the level claim's, where the scenario has one
    mean_units: float
    stopped_early: float
    power: float  # share of reduction intervals wholly above truth - POWER_DISTANCE


def _holds(interval: Interval, truth: float) -> bool:
    low = -math.inf if interval.low is None else interval.low
    high = math.inf if interval.high is None else interval.high
    return low <= truth <= high


def _narrow(interval: Interval, target: float) -> bool:
    half = interval.half_width
    return half is not None and half <= target


def look_units(units: int) -> list[int]:
    """The units at each look of a budget of ``units``: those finished by then, >= 2."""
    return [max(2, math.floor(look.fraction * units + 1e-9)) for look in LOOKS]


def simulate(
    scenario: Scenario,
    runs: int,
    *,
    units: int = UNITS,
    seed: int = SEED,
    method: RatioMethod = ratio_reduction,
    truth: float = TRUE_REDUCTION,
) -> Coverage:
    """Run ``runs`` sequential runs of ``scenario`` and count what their final intervals hold."""
    rng = np.random.default_rng(seed)
    base, cand = scenario.draw(rng, runs, units)
    hits = hit_ratios(rng, runs, units) if scenario.with_level else None
    covered = level_covered = excluded = early = used = 0
    at = look_units(units)
    for run in range(runs):
        for k, (look, n) in enumerate(zip(LOOKS, at, strict=True)):
            reduction = method(base[run, :n], cand[run, :n], look.alpha)
            ratio = None if hits is None else level(hits[run, :n], look.alpha)
            done = _narrow(reduction, REDUCTION_TARGET) and (
                ratio is None or _narrow(ratio, LEVEL_TARGET)
            )
            if done or k == len(LOOKS) - 1:
                break
        covered += _holds(reduction, truth)
        level_covered += ratio is not None and _holds(ratio, HIT_RATIO)
        excluded += reduction.low is not None and reduction.low > truth - POWER_DISTANCE
        early += k < len(LOOKS) - 1
        used += n
    return Coverage(
        scenario.name,
        runs,
        covered / runs,
        level_covered / runs if scenario.with_level else None,
        used / runs,
        early / runs,
        excluded / runs,
    )


def table(rows: list[Coverage]) -> str:
    """The rows as a markdown table."""
    lines = [
        "| scenario | runs | reduction covered | level covered | mean units | stopped early"
        f" | power (bound {POWER_DISTANCE:.2f} off) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        level_text = "" if row.level_covered is None else f"{row.level_covered:.3f}"
        lines.append(
            f"| {row.scenario} | {row.runs} | {row.covered:.3f} | {level_text}"
            f" | {row.mean_units:.1f} | {row.stopped_early:.3f} | {row.power:.3f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadtests.coverage", description=__doc__)
    parser.add_argument("--runs", type=int, default=2000, help="sequential runs per scenario")
    parser.add_argument("--units", type=int, default=UNITS, help="the budget, in units")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    rows = [simulate(s, args.runs, units=args.units, seed=args.seed) for s in SCENARIOS + LIMITS]
    sys.stdout.write(
        f"{args.runs} runs per scenario, budget {args.units} units, looks at units"
        f" {look_units(args.units)}, seed {args.seed}\n\n{table(rows)}\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
