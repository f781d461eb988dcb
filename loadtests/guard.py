"""The validity guard: when a load run, or a comparison of arms, must not be used.

Pure functions over what the runner measured; every problem is a sentence
kept in the run folder beside the figure it invalidates, never a silent
drop. A run is invalid when its generator was CPU-saturated (it measured
itself), its server died, too many requests failed, or (open model) too
many starts were late; a comparison of arms at one offered rate is invalid
when they completed different numbers of requests per scheduled start (one
arm was queueing, its requests still in flight when the window closed) or
any run in it is invalid.

Not compared: the achieved rates themselves. Poisson arrivals over a 15 s
window put a few per cent of pure counting noise on each arm's rate (the
default profile's first run had four valid arms 6 % apart), while
completions per start cancel the arrival noise and keep the queueing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    failure_share: float = 0.01
    # On two shared cores the scheduler's wake-up is now and then >10 ms late
    # while PostgreSQL's scans hold both cores (1.5 % of starts in an all-off
    # run whose generator used 14 % of a core). Latency is measured from the
    # intended start, so a late start counts against its arm, never for it;
    # beyond 5 % the offered rate itself is no longer what was asked.
    late_share: float = 0.05
    completion_spread: float = 0.05  # of completed requests per scheduled start
    generator_saturated: float = 0.90  # of one core, per generator process


LIMITS = Limits()
# A start later than this after its scheduled time is late (the open model's generators).
LATE_S = 0.010


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


def comparison_problems(
    runs: Sequence[RunFacts], limits: Limits = LIMITS, *, awaited: bool = False
) -> list[str]:
    """Problems of comparing these runs (one repetition or unit, one model, every arm).

    ``awaited``: every answer of the windows was awaited (the open model's paired
    units), so no arm's requests were still in flight and the completion count is not
    compared: with a few hundred starts a window, tasks of one to three requests put
    several per cent of pure chance on it.
    """
    problems = [f"{run.arm}: {problem}" for run in runs for problem in run_problems(run, limits)]
    offered = {run.offered_rps for run in runs}
    if len(offered) > 1:
        problems.append("the arms were not offered the same rate")
    rate = next(iter(offered))
    per_start = [run.requests / run.scheduled for run in runs if run.scheduled]
    if rate and not awaited and len(per_start) == len(runs) and min(per_start) > 0:
        spread = (max(per_start) - min(per_start)) / max(per_start)
        if spread > limits.completion_spread:
            problems.append(
                f"requests completed per scheduled start differ by {spread:.1%} between arms "
                f"(over {limits.completion_spread:.0%}) at the offered {rate:g}/s: an arm was "
                "queueing"
            )
    return problems
