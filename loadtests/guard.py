"""The validity guard: when a load run, or a comparison of arms, must not be used.

Pure functions over what the runner measured; every problem is a sentence
kept in the run folder beside the figure it invalidates, never a silent
drop. A run is invalid when its generator was CPU-saturated (it measured
itself), its server died, too many requests failed, or (open model) too
many starts were late; a comparison of arms at one offered rate is invalid
when their achieved rates differ by more than a few per cent (one arm was
queueing) or any run in it is invalid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    failure_share: float = 0.01
    late_share: float = 0.01
    rate_spread: float = 0.05  # of the offered rate
    generator_saturated: float = 0.90  # of one core, per generator process


LIMITS = Limits()


@dataclass(frozen=True)
class RunFacts:
    arm: str
    model: str
    requests: int
    failures: int
    scheduled: int  # open model: starts due (0 for closed)
    late: int
    generator_cpu: float  # share of one core, all generator processes together
    generator_processes: int
    server_died: bool
    achieved_rps: float
    offered_rps: float | None  # open model


def run_problems(run: RunFacts, limits: Limits = LIMITS) -> list[str]:
    problems = []
    if run.server_died:
        problems.append("the portal server died during the run")
    if run.requests == 0:
        problems.append("no request completed")
    elif run.failures / run.requests > limits.failure_share:
        problems.append(
            f"{run.failures} of {run.requests} requests failed (over {limits.failure_share:.0%})"
        )
    if run.scheduled and run.late / run.scheduled > limits.late_share:
        problems.append(
            f"{run.late} of {run.scheduled} starts were late (over {limits.late_share:.0%}): "
            "the generator could not keep the schedule"
        )
    per_process = run.generator_cpu / max(run.generator_processes, 1)
    if per_process >= limits.generator_saturated:
        problems.append(
            f"the load generator was CPU-saturated ({per_process:.0%} of a core per process): "
            "it measured itself"
        )
    return problems


def comparison_problems(runs: Sequence[RunFacts], limits: Limits = LIMITS) -> list[str]:
    """Problems of comparing these runs (one repetition, one model, every arm)."""
    problems = [f"{run.arm}: {problem}" for run in runs for problem in run_problems(run, limits)]
    offered = {run.offered_rps for run in runs}
    if len(offered) > 1:
        problems.append("the arms were not offered the same rate")
    rate = next(iter(offered))
    if rate:
        lowest = min(run.achieved_rps for run in runs)
        highest = max(run.achieved_rps for run in runs)
        if (highest - lowest) / rate > limits.rate_spread:
            problems.append(
                f"achieved rates differ by {(highest - lowest) / rate:.1%} of the offered "
                f"{rate:g}/s (over {limits.rate_spread:.0%}): an arm was queueing"
            )
    return problems
