"""Claims judged against one run: the evidence each statistic reads, the estimate, the verdict.

Every number comes from the run folder (``reports/run_folder.py``); the claims
file only says where to look and what was promised. Evidence that is not
there — a suite the profile did not run, a load comparison the validity
guard threw out, a run that never finished — is ``no evidence`` with which of
these, never a verdict by default.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from reports.absolute_reduction import absolute_estimate
from reports.claims import Claim, ClaimsFile
from reports.run_folder import RunFolder
from reports.series import ALL, CACHED, cached_routes, check_counts
from reports.statistics import STATISTICS, Estimate, level, median_reduction, paired_reduction
from reports.verdict_output import percent
from reports.verdicts import Verdict, verdict_for

if TYPE_CHECKING:
    import pandas as pd


class NoEvidence(Exception):
    """The evidence a claim needs is not in the run; the message says which and why."""


def judge_all(claims: ClaimsFile, run: RunFolder) -> list[Verdict]:
    return [judge(claim, run) for claim in claims.claims]


def judge(claim: Claim, run: RunFolder) -> Verdict:
    base = Verdict(id=claim.id, quote=claim.quote, verdict="no evidence", reason="",
                   note=claim.note)  # fmt: skip
    if not claim.measurable:
        base.verdict, base.reason = "not measurable", claim.reason
        return base
    how = STATISTICS[claim.statistic]
    base.statistic, base.summary, base.unit = how.name, how.summary, how.unit
    base.suite, base.series = claim.suite, list(claim.series)
    base.baseline, base.candidate = claim.baseline or "", claim.candidate or claim.arm
    base.percent = how.fraction
    if claim.claimed is not None:
        base.claimed = claim.claimed.describe(percent=how.fraction)
    if not run.finished:
        base.reason = f"no evidence: {run.unfinished_reason}"
        return base
    try:
        if how.functional:
            return _functional(claim, run, base)
        estimate, details = EVIDENCE[how.name](claim, run)
    except NoEvidence as missing:
        base.reason = f"no evidence: {missing}"
        return base
    assert claim.claimed is not None
    base.measured, base.low, base.high, base.n = (
        estimate.value, estimate.low, estimate.high, estimate.n
    )  # fmt: skip
    base.method = estimate.method
    base.details = details
    base.scale = str(details.get("scale", ""))
    base.extrapolation = bool(details.get("extrapolation", False))
    base.verdict = verdict_for(claim.claimed, estimate.low, estimate.high)
    base.reason = _reason(base)
    return base


def _reason(verdict: Verdict) -> str:
    if verdict.low is None or verdict.high is None:
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


# -- benchmark rounds ---------------------------------------------------------


def _rows(run: RunFolder, **equal: Any) -> pd.DataFrame:
    frame = run.tidy
    if frame.empty:
        return frame
    mask = np.ones(len(frame), dtype=bool)
    for column, wanted in equal.items():
        values = wanted if isinstance(wanted, list | tuple | set) else [wanted]
        mask &= frame[column].isin(list(values)).to_numpy()
    return frame[mask]


def _judged_scale(run: RunFolder, suite: str) -> str:
    """The largest main scale of the run: where the data is most like production."""
    from portal.datagen import SCALES

    present = set(_rows(run, suite=suite)["scale"]) if not run.tidy.empty else set()
    scales = [s for s in run.manifest.get("scales", []) if s in present] or sorted(present)
    if not scales:
        raise NoEvidence(f"suite {suite} did not run (not in this run's profile or --suite)")
    return str(max(scales, key=list(SCALES).index))


def _median_reduction(claim: Claim, run: RunFolder) -> tuple[Estimate, dict[str, Any]]:
    scale = _judged_scale(run, claim.suite)
    rows = _rows(run, suite=claim.suite, series=claim.series[0], metric="time", scale=scale)
    arms: dict[str, list[float]] = {}
    for arm in (claim.baseline, claim.candidate):
        values = rows[rows["arm"] == arm]["value"].astype(float).tolist()
        if not values:
            raise NoEvidence(f"series {claim.series[0]} has no {arm} rounds at {scale}")
        arms[arm] = values
    estimate = median_reduction(arms[claim.baseline], arms[claim.candidate])
    details = {
        "scale": scale,
        "rows": int(rows["rows"].iloc[0]),
        "size_table": str(rows["size_table"].iloc[0]),
        "arms": {
            arm: {"rounds": len(v), "median_s": float(np.median(v)), "mean_s": float(np.mean(v))}
            for arm, v in arms.items()
        },
        "speedup": float(np.median(arms[claim.baseline]) / np.median(arms[claim.candidate])),
    }
    return estimate, details


# -- load runs ----------------------------------------------------------------


def _load_series(claim: Claim) -> list[str]:
    names: list[str] = []
    for name in claim.series or (ALL,):
        names += list(cached_routes()) if name == CACHED else [name]
    return names


def _load_rows(run: RunFolder) -> pd.DataFrame:
    rows = _rows(run, suite="load")
    if rows.empty:
        skipped = str(run.manifest.get("load_tests") or "")
        raise NoEvidence(skipped or "the load tests did not run (not in this run's --suite)")
    return rows


def _invalid_pairs(run: RunFolder) -> dict[tuple[str, int], list[str]]:
    found: dict[tuple[str, int], list[str]] = {}
    for comparison in (run.validity or {}).get("comparisons", []):
        if not comparison.get("valid", False):
            key = (str(comparison["model"]), int(comparison["repetition"]))
            found[key] = list(comparison.get("problems", []))
    return found


def _per_run(
    rows: pd.DataFrame, series: list[str], metric: str
) -> dict[tuple[str, str, int], float]:
    """(model, arm, repetition) -> the metric, request-weighted over ``series``."""
    picked = rows[rows["series"].isin(series)].to_dict("records")
    requests = {
        (str(r["variant"]), str(r["arm"]), int(r["repetition"]), str(r["series"])): float(
            r["value"]
        )
        for r in picked
        if r["metric"] == "requests"
    }
    weighted: dict[tuple[str, str, int], list[tuple[float, float]]] = {}
    for r in picked:
        if r["metric"] != metric:
            continue
        key = (str(r["variant"]), str(r["arm"]), int(r["repetition"]))
        weight = requests.get((*key, str(r["series"])), 0.0)
        weighted.setdefault(key, []).append((float(r["value"]), weight))
    found: dict[tuple[str, str, int], float] = {}
    for key, pairs in weighted.items():
        figures = np.array([figure for figure, _ in pairs])
        weights = np.array([weight for _, weight in pairs])
        found[key] = (
            float(np.average(figures, weights=weights))
            if weights.sum() > 0
            else float(figures.mean())
        )
    return found


def _paired_reduction(claim: Claim, run: RunFolder) -> tuple[Estimate, dict[str, Any]]:
    rows = _load_rows(run)
    rows = rows[rows["variant"].isin(claim.models)]
    figures = _per_run(rows, _load_series(claim), claim.metric)
    invalid = _invalid_pairs(run)
    pairs: list[dict[str, Any]] = []
    dropped: list[str] = []
    keys = sorted({(m, r) for m, _, r in figures})
    for model, repetition in keys:
        base = figures.get((model, claim.baseline, repetition))
        cand = figures.get((model, claim.candidate, repetition))
        if base is None or cand is None:
            continue
        if (model, repetition) in invalid:
            dropped.append(
                f"{model} repetition {repetition}: " + "; ".join(invalid[(model, repetition)])
            )
            continue
        pairs.append({"model": model, "repetition": repetition, "baseline": base,
                      "candidate": cand})  # fmt: skip
    if not pairs:
        if dropped:
            raise NoEvidence(
                "the validity guard marked every comparison invalid: " + " | ".join(dropped)
            )
        raise NoEvidence(
            f"no load run has {claim.metric} for both {claim.baseline} and {claim.candidate} "
            f"({', '.join(claim.models)} model)"
        )
    estimate = paired_reduction([p["baseline"] for p in pairs], [p["candidate"] for p in pairs])
    scale = str(rows["scale"].iloc[0])
    return estimate, {"scale": scale, "metric": claim.metric, "pairs": pairs, "dropped": dropped,
                      "series_used": _load_series(claim)}  # fmt: skip


def _level(claim: Claim, run: RunFolder) -> tuple[Estimate, dict[str, Any]]:
    rows = _load_rows(run)
    rows = rows[rows["variant"].isin(claim.models) & (rows["arm"] == claim.arm)]
    figures = _per_run(rows, _load_series(claim), claim.metric)
    bad = (run.validity or {}).get("runs", {})
    used: list[dict[str, Any]] = []
    dropped: list[str] = []
    for (model, arm, repetition), value in sorted(figures.items()):
        name = f"{model}-{arm}-{repetition}"
        if bad.get(name):
            dropped.append(f"{name}: " + "; ".join(bad[name]))
        else:
            used.append({"run": name, "value": value})
    if not used:
        if dropped:
            raise NoEvidence("the validity guard marked every run invalid: " + " | ".join(dropped))
        raise NoEvidence(f"no {claim.arm} load run recorded {claim.metric}")
    estimate = level([float(u["value"]) for u in used])
    return estimate, {"scale": str(rows["scale"].iloc[0]), "runs": used, "dropped": dropped}


def _absolute(claim: Claim, run: RunFolder) -> tuple[Estimate, dict[str, Any]]:
    found = absolute_estimate(run.tidy, claim.series[0])
    if isinstance(found, str):
        raise NoEvidence(found)
    return found


EVIDENCE: dict[str, Callable[[Claim, RunFolder], tuple[Estimate, dict[str, Any]]]] = {
    "median_reduction": _median_reduction,
    "paired_reduction": _paired_reduction,
    "level": _level,
    "absolute_reduction": _absolute,
}
