"""How each statistic finds its evidence in a run folder: the rows it reads, its estimate.

Each function here is the ``estimate`` of one row of ``reports/statistics.py``:
a claim and a run folder in, the :class:`Evidence` out (the estimate, the
figures the report shows beside it, the tidy rows it was computed from), or
:class:`NoEvidence` saying what is missing and why. The arithmetic is
``reports/estimates.py``; these only pick and pair the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from reports.absolute_reduction import absolute_estimate
from reports.estimates import Estimate, level, median_reduction, paired_reduction
from reports.series import ALL, CACHED, cached_routes

if TYPE_CHECKING:
    import pandas as pd

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
    """Both arms' rounds of one series at the run's largest scale."""
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


def paired_reduction_of_runs(claim: Claim, run: RunFolder) -> Evidence:
    """Each repetition's pair of load runs the validity guard kept."""
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
    details = {"scale": scale, "metric": claim.metric, "pairs": pairs, "dropped": dropped,
               "series_used": _load_series(claim)}  # fmt: skip
    return Evidence(estimate, details, rows)


def level_of_runs(claim: Claim, run: RunFolder) -> Evidence:
    """Every load run of one arm the validity guard kept."""
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
    details = {"scale": str(rows["scale"].iloc[0]), "runs": used, "dropped": dropped}
    return Evidence(estimate, details, rows)


def absolute_reduction_of_growth(claim: Claim, run: RunFolder) -> Evidence:
    """The growth fit of one series over every data size the run measured."""
    if claim.before_s is None:  # the claims file requires it (reports/statistics.py)
        raise NoEvidence("the claim gives no before_s")
    found = absolute_estimate(run.tidy, claim.series[0], claim.before_s)
    if isinstance(found, str):
        raise NoEvidence(found)
    return Evidence(*found)
