"""A target's claims judged: the paired units' intervals, the checks' exits, the words.

The same rules as the portal's claims (``reports/verdict_rule.py``: only the
interval decides, never the point), over the same figures
(``loadtests/watch.py``: one per window, windows the validity guard marked
left out, a paired claim's whole unit with them) and at the level the
sequential run stopped at (``loadtests/stopping.py``). What cannot be judged
says why: a claim whose evidence the target does not declare (*no evidence*,
and the key that would provide it), an arm whose every window the guard
marked (*not judged*, and what it saw), the open model unavailable for the
team's users (*no evidence*, and why).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from loadtests.arm_run import ArmRun
from loadtests.guard import run_problems
from loadtests.watch import METRICS, Watched, interval_of, unit_figures
from perfproof.targets.benchmarks import Rounds
from perfproof.targets.target_claims import (
    ALL,
    STATISTICS,
    TARGET_SUITES,
    TargetClaim,
    claimed_of,
    model_of,
)
from reports.estimates import median_reduction
from reports.statistic_rows import precision_for
from reports.verdict_rule import Claimed, verdict_for

__all__ = ["claimed_of"]  # the report reads it from here

CLOSED_ALPHA = 0.05


@dataclass
class TargetVerdict:
    """One claim of a target judged, as ``verdicts.json`` holds it."""

    id: str
    quote: str
    statistic: str
    verdict: str
    reason: str
    claimed: str = ""
    measured: float | None = None
    low: float | None = None
    high: float | None = None
    n: int | None = None
    level: float | None = None  # the interval's confidence (0.95; the open model's look's)
    unit: str = ""
    method: str = ""
    percent: bool = True
    compared: str = ""  # what against what, on which requests
    judged_at: str = ""  # the data size and the offered rate
    details: dict[str, Any] = field(default_factory=dict)

    def document(self) -> dict[str, Any]:
        return asdict(self)


def watched_of(claim: TargetClaim, profile: str) -> Watched | None:
    """The claim as the sequential run watches it; None when it is no load claim it can judge."""
    table = claim.table
    if claim.statistic not in ("paired_reduction", "level") or claim.missing:
        return None
    metric = str(table.get("metric") or STATISTICS[claim.statistic].default_metric)
    if metric not in METRICS:
        return None
    series = table.get("series", [])
    series = [series] if isinstance(series, str) else list(series)
    routes = tuple(name for name in series if name != ALL)
    half = precision_for(table.get("precision"), profile)
    model = model_of(table)
    if claim.statistic == "level":
        return Watched(claim.id, "level", metric, routes, half, arm=str(table["arm"]),
                       model=model)  # fmt: skip
    return Watched(claim.id, "paired", metric, routes, half, baseline=str(table["baseline"]),
                   candidate=str(table["candidate"]), model=model)  # fmt: skip


@dataclass(frozen=True)
class RatePhase:
    """The open model at one offered rate: its paired units and the level its look stopped at."""

    share: float | None  # of the slowest arm's capacity; None for a pinned --load-rate
    rate: float  # tasks per second
    first_unit: int
    units: int
    alpha: float
    primary: bool  # the verdicts' rate

    def holds(self, run: ArmRun) -> bool:
        """Whether ``run`` is a window of this phase (every closed window is kept)."""
        last = self.first_unit + self.units
        return run.model != "open" or self.first_unit <= run.repetition < last


def primary_runs(runs: Sequence[ArmRun], phases: Sequence[RatePhase]) -> list[ArmRun]:
    """The windows the verdicts read: the closed ones and the verdicts' rate's open ones.

    A rate's interval never borrows another rate's windows: pooled, they would answer a
    question nobody asked (the effect at a mixture of loads)."""
    primary = next((phase for phase in phases if phase.primary), None)
    return [run for run in runs if primary is None or primary.holds(run)]


@dataclass(frozen=True)
class Judging:
    """What every claim of a run is judged from."""

    runs: Sequence[ArmRun]
    alpha: float  # the level the sequential run stopped at
    profile: str
    checks: Mapping[str, tuple[int, str]]  # check name -> (exit code, where its output is)
    open_unavailable: str  # why the open model could not run the team's users ("" if it ran)
    judged_at: str  # the data size and the offered rate
    rounds: Rounds = field(default_factory=dict)  # benchmark rounds: arm -> series -> seconds
    closed_at: str = ""  # the data size and the closed model's users
    phases: Sequence[RatePhase] = ()  # the open model's rates (--load-rates), the verdicts' first


def judge(claims: Sequence[TargetClaim], judging: Judging) -> list[TargetVerdict]:
    """Every claim's verdict, at the verdicts' rate; an open load claim judged at several
    rates carries each rate's own estimate in ``details.by_rate``."""
    primary = replace(judging, runs=primary_runs(judging.runs, judging.phases))
    verdicts = [_judged(claim, primary) for claim in claims]
    if len(judging.phases) < 2:
        return verdicts
    for claim, verdict in zip(claims, verdicts, strict=True):
        watched = watched_of(claim, judging.profile)
        if watched is None or watched.model != "open" or verdict.verdict == "no evidence":
            continue
        verdict.details["by_rate"] = [
            _at_rate(claim, phase, judging) for phase in sorted(judging.phases,
                                                                key=lambda p: p.rate)
        ]  # fmt: skip
    return verdicts


def _at_rate(claim: TargetClaim, phase: RatePhase, judging: Judging) -> dict[str, Any]:
    """The claim judged on one rate's units alone, at that rate's stopping level."""
    runs = [run for run in judging.runs if phase.holds(run)]
    at = _judged(claim, replace(judging, runs=runs, alpha=phase.alpha))
    entry: dict[str, Any] = {"share": phase.share, "rate": phase.rate, "primary": phase.primary}
    if at.measured is None:
        return {**entry, "missing": at.reason}
    return {**entry, "value": at.measured, "low": at.low, "high": at.high, "n": at.n,
            "level": at.level, "verdict": at.verdict, "method": at.method}  # fmt: skip


def _judged(claim: TargetClaim, judging: Judging) -> TargetVerdict:
    runs, alpha, profile, checks = judging.runs, judging.alpha, judging.profile, judging.checks
    open_unavailable, judged_at = judging.open_unavailable, judging.judged_at
    table = claim.table
    verdict = TargetVerdict(claim.id, str(table.get("quote", "")), claim.statistic, "", "",
                            compared=claim.said)  # fmt: skip
    claimed = claimed_of(table)
    if not claim.statistic:
        verdict.verdict, verdict.reason = "not measurable", str(table.get("reason", ""))
        return verdict
    how = STATISTICS[claim.statistic]
    verdict.unit = how.unit
    if how.functional:
        name = str(table["check"])
        if name not in checks:
            verdict.verdict, verdict.reason = "no evidence", f"check {name} did not run"
            return verdict
        code, output = checks[name]
        verdict.verdict = "met" if code == 0 else "not met"
        verdict.reason = f"the command exited with code {code} (its output: {output})"
        verdict.n, verdict.method = 1, "a command against the started service, exit 0 = held"
        return verdict
    if claim.missing:
        verdict.verdict, verdict.reason = "no evidence", claim.missing
        return verdict
    if TARGET_SUITES.get(claim.statistic) == "benchmarks":
        return _of_rounds(verdict, claim, claimed, judging)
    watched = watched_of(claim, profile)
    why = _no_load_evidence(table, watched, open_unavailable)
    if why or watched is None:
        verdict.verdict, verdict.reason = "no evidence", why
        return verdict
    unsent = _unsent(watched, runs)
    if unsent:
        verdict.verdict, verdict.reason = "no evidence", unsent
        return verdict
    unjudged = _unjudged_arms(watched, runs)
    if unjudged:
        verdict.verdict, verdict.reason = "not judged", unjudged
        return verdict
    # The closed model's units are a fixed number, not sampled until a target: its
    # intervals are at the plain 5 %, the open model's at the level its stopping look spent.
    closed = watched.model == "closed"
    found = interval_of(watched, runs, CLOSED_ALPHA if closed else alpha)
    if found is None or claimed is None:
        verdict.verdict, verdict.reason = "inconclusive", f"no complete {watched.model} unit"
        return verdict
    verdict.percent = not (watched.kind == "level" and watched.metric == "intended_mean")
    verdict.claimed = claimed.describe(percent=verdict.percent)
    verdict.measured, verdict.low, verdict.high, verdict.n = (
        found.value, found.low, found.high, found.n
    )  # fmt: skip
    verdict.method = found.method + (" (closed model)" if closed else "")
    verdict.level = 1 - found.alpha
    verdict.verdict = verdict_for(claimed, found.low, found.high)
    verdict.judged_at = judging.closed_at if closed else judged_at
    verdict.reason = _reason(verdict.verdict, watched, found.half_width, found.method)
    verdict.details = {"units": [
        {"unit": unit, **dict(zip(watched.arms, values, strict=True))}
        for unit, values in unit_figures(watched, runs)
    ]}  # fmt: skip
    return verdict


def _no_load_evidence(table: Mapping[str, Any], watched: Watched | None,
                      open_unavailable: str) -> str:  # fmt: skip
    """Why a load claim has no evidence in this run ("" when it has)."""
    if watched is None:
        return (f"a target's load claims are judged on {', '.join(METRICS)}; "
                f"{table.get('metric')} is not recorded per paired unit")  # fmt: skip
    if open_unavailable and watched.model == "open":
        return f"the open model is not available: {open_unavailable}"
    return ""


# What the interval's place against the claim means, per verdict.
PLACES = {
    "met": "the whole interval is within the claim",
    "exceeded": "the whole interval is above the claimed range",
    "not met": "the whole interval is outside the claim",
    "inconclusive": "the interval straddles a claimed bound",
}


def _reason(word: str, watched: Watched, half_width: float | None, method: str) -> str:
    target = (
        "a fixed number of closed units: no target pursued" if watched.model == "closed"
        else f"target {watched.half_width * 100:g}"
    )  # fmt: skip
    reached = (
        f"half-width {half_width * 100:.1f} points ({target})"
        if half_width is not None else f"no interval ({method})"
    )  # fmt: skip
    place = PLACES.get(word, "")
    return f"{place}; {reached}" if place and half_width is not None else reached


def _unsent(watched: Watched, runs: Sequence[ArmRun]) -> str:
    """Why a claim's series has no figure: a request name no window of its model recorded
    (a Locust file's names are known only once it has run)."""
    windows = [run for run in runs if run.model == watched.model and run.arm.name in watched.arms]
    sent = {name for run in windows for name in run.recorded["measured"].routes}
    missing = [name for name in watched.routes if name not in sent]
    if not windows or not missing:
        return ""
    return (f"no request named {missing[0]!r} was sent in the {watched.model} model (sent: "
            f"{', '.join(sorted(sent)) or 'nothing'}): a series is a request name as Locust "
            "reports it (its name=, else the path)")  # fmt: skip


def _unjudged_arms(watched: Watched, runs: Sequence[ArmRun]) -> str:
    """Why an arm of the claim cannot be judged: every open window of it marked by the guard."""
    for arm in watched.arms:
        windows = [run for run in runs if run.model == watched.model and run.arm.name == arm]
        problems = [run_problems(run.facts()) for run in windows]
        if windows and all(problems):
            return f"arm {arm}: every window failed the validity guard ({problems[-1][0]})"
    return ""


def _of_rounds(verdict: TargetVerdict, claim: TargetClaim, claimed: Claimed | None,
               judging: Judging) -> TargetVerdict:  # fmt: skip
    """A ``median_reduction`` over the team's benchmark rounds, pooled over the blocks."""
    table = claim.table
    series = table.get("series", [])
    series = [series] if isinstance(series, str) else list(series)
    baseline, candidate = str(table["baseline"]), str(table["candidate"])
    if not judging.rounds:
        verdict.verdict, verdict.reason = "no evidence", "no benchmark ran (benchmarks.files)"
        return verdict
    found = sorted({name for arm in judging.rounds.values() for name in arm})
    missing = [name for name in series if name not in found]
    if missing or claimed is None:
        verdict.verdict = "no evidence"
        verdict.reason = f"no benchmark named {missing[0]!r} ran (ran: {', '.join(found)})"
        return verdict
    base = [x for name in series for x in judging.rounds.get(baseline, {}).get(name, [])]
    cand = [x for name in series for x in judging.rounds.get(candidate, {}).get(name, [])]
    if not base or not cand:
        verdict.verdict, verdict.reason = "no evidence", "an arm has no rounds of the series"
        return verdict
    estimate = median_reduction(base, cand)
    verdict.claimed = claimed.describe(percent=True)
    verdict.measured, verdict.low, verdict.high, verdict.n = (
        estimate.value, estimate.low, estimate.high, estimate.n
    )  # fmt: skip
    verdict.method = estimate.method
    verdict.verdict = verdict_for(claimed, estimate.low, estimate.high)
    verdict.reason = f"{len(base)} rounds of {baseline}, {len(cand)} of {candidate}"
    verdict.judged_at = judging.judged_at.split(", ")[0] if judging.judged_at else ""
    return verdict
