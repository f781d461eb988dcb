"""How each statistic finds its evidence in a run folder: the rows it reads, its estimate.

Each function here is the ``estimate`` of one row of ``reports/statistics.py``:
a claim and a run folder in, the :class:`Evidence` out (the estimate, the
figures the report shows beside it, the tidy rows it was computed from), or
:class:`NoEvidence` saying what is missing and why. The arithmetic is
``reports/estimates.py``; these only pick and pair the rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from loadtests.sequential import Interval
from reports.absolute_reduction import absolute_estimate
from reports.estimates import Estimate, median_reduction
from reports.series import ALL, CACHED, cached_routes

if TYPE_CHECKING:
    import pandas as pd

    from benchmarks.manifest import Manifest
    from reports.claims import Claim
    from reports.run_folder import RunFolder


class NoEvidence(Exception):
    """The evidence a claim needs is not in the run; the message says which and why."""


@dataclass(frozen=True, eq=False)  # its rows are a frame: no equality
class Evidence:
    """What one statistic found in a run: its estimate, the figures shown beside it, its rows."""

    estimate: Estimate
    details: dict[str, Any] = field(default_factory=dict)  # written to verdicts.json
    rows: pd.DataFrame | None = None  # the tidy rows it read, for the report to draw


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
    scales = [s for s in (run.manifest.scales or []) if s in present] or sorted(present)
    if not scales:
        raise NoEvidence(f"suite {suite} did not run (not in this run's profile or --suite)")
    return str(max(scales, key=list(SCALES).index))


def median_reduction_of_rounds(claim: Claim, run: RunFolder) -> Evidence:
    """Both arms' rounds of one series at the run's largest scale, or at the claim's size
    (``at_rows``); with the verdict at every size the series was measured at."""
    from reports.per_size import at_rows, by_size

    if claim.at_rows is not None:
        found = at_rows(run.tidy, claim, claim.at_rows)
        if isinstance(found, str):
            raise NoEvidence(found)
        estimate, details = found
        rows = _rows(run, suite=claim.suite, series=claim.series[0], metric="time")
        rows = rows[rows["rows"] == claim.at_rows]  # the rounds there; none from a fit
        return Evidence(estimate, {**details, "by_size": by_size(run.tidy, claim)}, rows)
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
        "by_size": by_size(run.tidy, claim),
    }
    return Evidence(estimate, details, rows)


# -- load runs ----------------------------------------------------------------


def _load_series(claim: Claim) -> list[str]:
    names: list[str] = []
    for name in claim.series or (ALL,):
        names += list(cached_routes()) if name == CACHED else [name]
    return names


def _load_rows(run: RunFolder) -> pd.DataFrame:
    rows = _rows(run, suite="load")
    if rows.empty:
        skipped = str(run.manifest.load_tests or "")
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


def _sequential(run: RunFolder) -> tuple[float, dict[str, Any]]:
    """The alpha of the look that stopped the run's paired units, and how it stopped."""
    from loadtests.sequential import LOOKS

    record = _load_manifest(run).sequential
    if record is None:  # a run folder from before paired units: the last look's alpha
        return LOOKS[-1].alpha, {}
    how = {
        "stopped": record.stopped,
        "units": record.units,
        "budget_s": record.budget_s,
        "unit_s": record.unit_s,
        "looks": [look.model_dump() for look in record.looks],
        "window_s": record.window_s,
        "warmup_s": record.warmup_s,
    }
    return record.alpha, how


def _load_manifest(run: RunFolder) -> Manifest:
    """The load tests' own manifest: ``load/<run>/`` of a bench run, or the run's."""
    return run.load_manifest or run.manifest


def _estimate_of(found: Interval, unit: str) -> Estimate:
    return Estimate(found.value, found.low, found.high, found.n, f"{found.method}; {unit}")


def _progress(
    figures: list[list[float]], interval: Callable[[list[list[float]]], Interval]
) -> list[dict[str, Any]]:
    """The interval after each unit, as a reader would have seen it."""
    steps: list[dict[str, Any]] = []
    for n in range(2, len(figures) + 1):
        found = interval(figures[:n])
        steps.append({"n": n, "value": found.value, "low": found.low, "high": found.high})
    return steps


def _precision_details(
    claim: Claim, run: RunFolder, found: Interval, alpha: float
) -> dict[str, Any]:
    """What would decide it: the run's minimum detectable effect, the units a target needs."""
    from loadtests.sequential import mde, units_for

    target = _target(claim, run)
    details: dict[str, Any] = {"alpha": alpha, "half_width": found.half_width, "target": target}
    if found.low is not None and found.half_width:
        details["mde"] = mde(found)
        details["units_for_target"] = units_for(found, target)
    return details


def _target(claim: Claim, run: RunFolder) -> float:
    for watched in _load_manifest(run).watched or []:
        if watched.id == claim.id:
            return float(watched.half_width)
    return claim.target(_load_profile(run))


def _load_profile(run: RunFolder) -> str:
    profile = run.manifest.profile or "default"
    return "quick" if profile in ("quick", "gate") else "default"


def paired_reduction_of_runs(claim: Claim, run: RunFolder) -> Evidence:
    """Each paired unit the validity guard kept: 1 - mean(candidate) / mean(baseline)."""
    from loadtests.sequential import is_stall, ratio_reduction

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
            dropped.append(f"{model} unit {repetition}: " + "; ".join(invalid[(model, repetition)]))
            continue
        pairs.append({"model": model, "repetition": repetition, "baseline": base,
                      "candidate": cand})  # fmt: skip
    if not pairs:
        if dropped:
            raise NoEvidence(
                "the validity guard marked every comparison invalid: " + " | ".join(dropped)
            )
        raise NoEvidence(_missing(claim, run))
    alpha, how = _sequential(run)
    base_all = [p["baseline"] for p in pairs]
    cand_all = [p["candidate"] for p in pairs]
    for pair in pairs:
        pair["effect"] = 1.0 - pair["candidate"] / pair["baseline"] if pair["baseline"] else None
        pair["stall"] = is_stall(pair["baseline"], base_all) or is_stall(pair["candidate"],
                                                                          cand_all)  # fmt: skip
    if len(pairs) < 2:
        found = Interval(1.0 - cand_all[0] / base_all[0], None, None, 1, alpha, "one unit")
    else:
        found = ratio_reduction(base_all, cand_all, alpha)
    statistic = claim.how
    unit = statistic.unit if statistic else "paired units"
    steps = _progress(
        [[p["baseline"], p["candidate"]] for p in pairs],
        lambda units: ratio_reduction([u[0] for u in units], [u[1] for u in units], alpha),
    )
    scale = str(rows["scale"].iloc[0])
    details = {"scale": scale, "metric": claim.metric, "pairs": pairs, "dropped": dropped,
               "series_used": _load_series(claim), "progress": steps, "sequential": how,
               **_precision_details(claim, run, found, alpha)}  # fmt: skip
    return Evidence(_estimate_of(found, unit), details, rows)


def _missing(claim: Claim, run: RunFolder) -> str:
    """Why no unit has the claim's figure for both arms, in words that say what to do."""
    if claim.metric == "db_statements_per_request":
        environment = _load_manifest(run).environment or {}
        preloaded = str(environment.get("postgres_shared_preload_libraries") or "")
        if "pg_stat_statements" not in preloaded:
            return (
                "PostgreSQL did not preload pg_stat_statements (shared_preload_libraries = "
                f"{preloaded or 'empty'}), so the run has no statement counts: add it to "
                "shared_preload_libraries and restart PostgreSQL, or leave PORTAL_DATABASE_URL "
                "unset to use the embedded server, which preloads it"
            )
    why = _why_no(claim.metric, run)
    return (
        f"no load run has {claim.metric} for both {claim.baseline} and {claim.candidate} "
        f"({', '.join(claim.models)} model)" + (f": {why}" if why else "")
    )


def _why_no(metric: str, run: RunFolder) -> str:
    """What a load metric needs that the run lacked, in words that say how to get it."""
    if metric == "hit_ratio":
        return (
            "no window of the arm had an X-Cache header of HIT or MISS on the routes named: "
            "the arm runs with the cache off, or the service sends no X-Cache header"
        )
    if metric.startswith("intended_"):
        models = {str(m) for m in _load_rows(run)["variant"].unique()}
        if "open" not in models:
            return (
                "latency from the intended start is recorded in the open model only, and this "
                "run had none (--model closed, or no --rate and no closed run to set it)"
            )
    if metric == "portal_hit_ratio":
        return (
            "the portal's /metrics had no cache counters: monitoring is off "
            "(PORTAL_MONITORING=off), /metrics did not answer, or the run predates them; they "
            "count every route together, so a claim naming routes has none (series ALL)"
        )
    if metric == "portal_statements_per_request":
        return (
            "the portal's /metrics had no statement counter: monitoring is off "
            "(PORTAL_MONITORING=off), /metrics did not answer, or the run's paired units "
            "predate it; it counts every route together (series ALL)"
        )
    return ""


def level_of_runs(claim: Claim, run: RunFolder) -> Evidence:
    """Every window of one arm the validity guard kept."""
    from loadtests.sequential import is_stall, level

    rows = _load_rows(run)
    rows = rows[rows["variant"].isin(claim.models) & (rows["arm"] == claim.arm)]
    figures = _per_run(rows, _load_series(claim), claim.metric)
    bad = (run.validity or {}).get("runs", {})
    used: list[dict[str, Any]] = []
    dropped: list[str] = []
    for (model, arm, repetition), value in sorted(figures.items(), key=lambda kv: kv[0][2]):
        name = f"{model}-{arm}-{repetition}"
        if bad.get(name):
            dropped.append(f"{name}: " + "; ".join(bad[name]))
        else:
            used.append({"run": name, "unit": repetition, "value": value})
    if not used:
        if dropped:
            raise NoEvidence("the validity guard marked every run invalid: " + " | ".join(dropped))
        why = _why_no(claim.metric, run)
        raise NoEvidence(
            f"no {claim.arm} load run recorded {claim.metric}" + (f": {why}" if why else "")
        )
    alpha, how = _sequential(run)
    values = [float(u["value"]) for u in used]
    for entry in used:
        entry["stall"] = is_stall(entry["value"], values)
    found = level(values, alpha)
    statistic = claim.how
    unit = statistic.unit if statistic else "windows"
    steps = _progress([[v] for v in values], lambda units: level([u[0] for u in units], alpha))
    details = {"scale": str(rows["scale"].iloc[0]), "runs": used, "dropped": dropped,
               "progress": steps, "sequential": how,
               **_precision_details(claim, run, found, alpha)}  # fmt: skip
    return Evidence(_estimate_of(found, unit), details, rows)


def absolute_reduction_of_growth(claim: Claim, run: RunFolder) -> Evidence:
    """The growth fit of one series over every data size the run measured."""
    if claim.before_s is None:  # the claims file requires it (reports/statistics.py)
        raise NoEvidence("the claim gives no before_s")
    found = absolute_estimate(run.tidy, claim.series[0], claim.before_s)
    if isinstance(found, str):
        raise NoEvidence(found)
    return Evidence(*found)
