"""Claims judged against one run: each claim's statistic, its estimate, the verdict.

Every number comes from the run folder (``reports/run_folder.py``); the claims
file only says where to look and what was promised. Evidence that is not
there — a suite the profile did not run, a load comparison the validity
guard threw out, a run that never finished — is ``no evidence`` with which of
these, never a verdict by default.
"""

from __future__ import annotations

from typing import Any

from reports.claims import Claim, ClaimsFile
from reports.conditions import conditions_of
from reports.evidence import NoEvidence
from reports.run_folder import RunFolder
from reports.series import check_counts
from reports.statistics import STATISTICS
from reports.verdict_output import percent
from reports.verdicts import Verdict, verdict_for


def judge_all(claims: ClaimsFile, run: RunFolder) -> list[Verdict]:
    return [judge(claim, run) for claim in claims.claims]


def judge(claim: Claim, run: RunFolder) -> Verdict:
    base = Verdict(claim, verdict="no evidence", reason="")
    if not claim.measurable:
        base.verdict, base.reason = "not measurable", claim.reason
        return base
    how = STATISTICS[claim.statistic]
    base.summary, base.unit = how.summary, how.unit
    if not run.finished:
        base.reason = f"no evidence: {run.unfinished_reason}"
        return base
    try:
        if how.estimate is None:
            return _functional(claim, run, base)
        found = how.estimate(claim, run)
    except NoEvidence as missing:
        base.reason = f"no evidence: {missing}"
        return base
    assert claim.claimed is not None
    estimate = found.estimate
    base.measured, base.low, base.high, base.n = (
        estimate.value, estimate.low, estimate.high, estimate.n
    )  # fmt: skip
    base.method = estimate.method
    base.details, base.rows = found.details, found.rows
    base.scale = str(found.details.get("scale", ""))
    base.extrapolation = bool(found.details.get("extrapolation", False))
    base.conditions = conditions_of(found.details, base.scale, claim.suite, run)
    base.verdict = verdict_for(claim.claimed, estimate.low, estimate.high)
    base.reason = _reason(base) + _what_would_decide(base)
    return base


def _what_would_decide(verdict: Verdict) -> str:
    """For an open load verdict: the run's minimum detectable effect, the units its target
    would need at the variance observed (``loadtests/sequential.py``)."""
    details = verdict.details
    mde, needed = details.get("mde"), details.get("units_for_target")
    if verdict.verdict != "inconclusive" or not isinstance(mde, float) or mde == float("inf"):
        return ""
    said = (
        f"; this run detects a distance of {mde * 100:.1f} points from a claimed bound at "
        "80 % power"
    )
    how = details.get("sequential") or {}
    unit_s = how.get("unit_s") or []
    half, target = details.get("half_width"), details.get("target")
    if isinstance(half, float) and isinstance(target, float) and half <= target:
        return said + (
            "; the interval is as narrow as its precision target: the truth is that close "
            "to the claimed bound, and more units would narrow it further"
        )
    if isinstance(needed, int) and unit_s:
        more = max(0, needed - len(unit_s))
        minutes = more * (sum(unit_s) / len(unit_s)) / 60
        said += (
            f"; about {more} more units (~{minutes:.1f} min more --load-budget) would reach "
            "its precision target"
        )
    return said


def _reason(verdict: Verdict) -> str:
    if verdict.low is None or verdict.high is None:
        if (verdict.n or 0) >= 2 and verdict.method.startswith("Fieller:"):
            return (
                f"n = {verdict.n} ({verdict.unit}): no bounded interval: the baseline arm's "
                "units spread (or drift) so widely that its mean is not distinguishable from "
                "zero at this level (Fieller), so the ratio could be anything"
            )
        return f"n = {verdict.n} ({verdict.unit}): too few for an interval"
    interval = f"[{percent(verdict.low)}, {percent(verdict.high)}]" if verdict.percent else ""
    return {
        "exceeded": f"the whole interval {interval} is above the claimed range",
        "met": f"the whole interval {interval} is at or above the claimed lower bound",
        "not met": f"the whole interval {interval} is below the claimed lower bound",
        "inconclusive": f"the interval {interval} straddles the claimed lower bound",
    }.get(verdict.verdict, "")


# -- functional checks --------------------------------------------------------


def _functional(claim: Claim, run: RunFolder, base: Verdict) -> Verdict:
    if run.checks is None:
        raise NoEvidence("the functional checks did not run (no checks.json)")
    found = [c for c in run.checks.get("checks", []) if c.get("id") == claim.check]
    if not found:
        raise NoEvidence(f"the check {claim.check!r} is not in checks.json")
    check = found[0]
    base.details = {"observed": check.get("observed", {}), "seconds": check.get("seconds")}
    base.n, base.unit = 1, "check"
    if claim.count:
        _counted(claim, run, check, base)
    else:
        base.verdict = "met" if check.get("passed") else "not met"
        problems = "; ".join(check.get("problems") or [])
        base.reason = str(check.get("tried", "")) + (f" Problems: {problems}" if problems else "")
    if claim.scenarios:
        _under_load(claim, run, base)
    base.conditions = conditions_of({}, str(run.checks.get("scale") or ""), claim.suite, run)
    return base


def _counted(claim: Claim, run: RunFolder, check: dict[str, Any], base: Verdict) -> None:
    """The check's count against the claim's number: a count is exact, so its interval is
    the one point, and the verdict rules apply as to any interval."""
    count = check_counts(claim.check)[claim.count]
    observed = check.get("observed") or {}
    figure = observed.get(count.key)
    if not check.get("passed") or isinstance(figure, bool) or not isinstance(figure, int | float):
        # A check that did not finish its measurement leaves the count unknown, not low.
        problems = "; ".join(check.get("problems") or []) or f"no {count.key!r} recorded"
        raise NoEvidence(f"the {claim.check} check did not count {count.unit}: {problems}")
    assert claim.claimed is not None  # a claim with a count has its number (reports/claims.py)
    base.measured = base.low = base.high = float(figure)
    base.verdict = verdict_for(claim.claimed, base.low, base.high)
    base.summary = f"{count.unit}, counted by the {claim.check} check"
    base.scale = str((run.checks or {}).get("scale") or "")
    out_of = observed.get(count.out_of) if count.out_of else None
    left_out = observed.get(count.left_out) if count.left_out else None
    counted = f"{figure:g} of {out_of}" if out_of is not None else f"{figure:g}"
    where = f" at {base.scale}" if base.scale else ""
    named = f"; {count.left_out}: {', '.join(map(str, left_out))}" if left_out else ""
    claimed = claim.claimed.describe(percent=False)
    tried = check.get("tried", "")
    base.reason = f"{counted} {count.unit}{where}, {claimed} claimed{named}. {tried}".strip()


def _under_load(claim: Claim, run: RunFolder, base: Verdict) -> None:
    """The claim's fault scenarios, where the run had them: each one that broke fails the claim."""
    if run.faults is None:
        base.reason += " Under load: the fault scenarios did not run in this run."
        return
    found = {entry["scenario"]: entry for entry in run.faults.get("scenarios", [])}
    said = []
    for name in claim.scenarios:
        entry = found.get(name)
        if entry is None:
            said.append(f"{name} did not run")
            continue
        phases = [entry["phases"][phase] for phase in ("during", "after")]
        failed, sent = sum(p["failures"] for p in phases), sum(p["requests"] for p in phases)
        said.append(
            f"{name}: {failed} of {sent} requests during and after the fault failed"
            + ("" if entry.get("passed") else f" ({'; '.join(entry.get('problems', []))})")
        )
        if not entry.get("passed"):
            base.verdict = "not met"
    base.reason += " Under load (perfproof faults): " + "; ".join(said) + "."
    base.details["scenarios"] = {name: found[name] for name in claim.scenarios if name in found}
