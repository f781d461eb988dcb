"""An index claim at every data size its series was measured at, and at the size it was made at.

An index's effect grows with its table: the orders index saves 47.6 % at
``tiny`` (5,000 orders) and 88.5 % at ``small``. A verdict at one size says
nothing of another, so each ``median_reduction`` claim whose series the run
measured at more than one size (the growth mode measures the query series at
tiny, small and medium) is judged at each of them, with the same estimator
(``reports/estimates.py`` ``median_reduction``) and rule as its own verdict,
and the report shows which sizes meet it.

The claims file may say at which size a claim was made (``at_rows``, rows of
the series' table: the write-up's production size). That size's verdict is
then the claim's: the one measured there if the run measured it; between two
measured sizes, from the growth fit of both arms (``benchmarks/growth.py``:
each arm's best law through its medians, the interval by resampling every
size's rounds and refitting, as ``reports/absolute_reduction.py`` does);
beyond the measured sizes the same, marked *extrapolation*, since no law
fitted on three sizes promises anything further out. The interval holds each
arm's chosen law fixed and resamples the rounds: it says how precisely the law
is placed, not whether it is the right law (``details.laws`` gives each law's
R²); a size where either law predicts no positive time is no evidence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from benchmarks.growth import MIN_SIZES, Fit, best_fit
from reports.absolute_reduction import REFIT_RESAMPLES, refitted_interval
from reports.estimates import Estimate, median_reduction
from reports.verdicts import verdict_for

if TYPE_CHECKING:
    import pandas as pd

    from reports.claims import Claim


def rounds_by_size(
    tidy: pd.DataFrame, claim: Claim
) -> dict[int, tuple[str, str, dict[str, np.ndarray]]]:
    """rows -> (scale, size table, arm -> every round's seconds), both arms measured."""
    if tidy.empty:
        return {}
    picked = tidy[(tidy["suite"] == claim.suite) & (tidy["series"] == claim.series[0])
                  & (tidy["metric"] == "time")]  # fmt: skip
    found: dict[int, tuple[str, str, dict[str, np.ndarray]]] = {}
    for rows, group in picked.groupby("rows"):
        arms = {
            arm: group[group["arm"] == arm]["value"].astype(float).to_numpy()
            for arm in (claim.baseline, claim.candidate)
        }
        if all(len(values) for values in arms.values()):
            scales = sorted({str(s) for s in group["scale"]})
            table = str(group["size_table"].iloc[0]) if "size_table" in group else ""
            found[int(str(rows))] = ("/".join(scales), table, arms)
    return found


def by_size(tidy: pd.DataFrame, claim: Claim) -> list[dict[str, Any]]:
    """The claim judged at each measured size, smallest first; empty when it was measured at
    one size only (that size's verdict is the claim's, nothing to compare)."""
    assert claim.claimed is not None
    judged: list[dict[str, Any]] = []
    if len(rounds_by_size(tidy, claim)) < 2:
        return judged
    for rows, (scale, table, arms) in sorted(rounds_by_size(tidy, claim).items()):
        estimate = median_reduction(arms[claim.baseline], arms[claim.candidate])
        word = verdict_for(claim.claimed, estimate.low, estimate.high)
        low, high = estimate.low, estimate.high
        judged.append({"rows": rows, "scale": scale, "size_table": table, "verdict": word,
                       "value": estimate.value, "low": low, "high": high})  # fmt: skip
    return judged


def at_rows(tidy: pd.DataFrame, claim: Claim, rows: int) -> tuple[Estimate, dict[str, Any]] | str:
    """The claim's reduction at ``rows``, measured or from the growth fit; or why not."""
    measured = rounds_by_size(tidy, claim)
    if rows in measured:
        scale, table, arms = measured[rows]
        estimate = median_reduction(arms[claim.baseline], arms[claim.candidate])
        return estimate, {"scale": scale, "rows": rows, "size_table": table, "at_rows": rows,
                          "interpolated": False, "extrapolation": False}  # fmt: skip
    if not measured:
        return (
            f"series {claim.series[0]} has no rounds of both arms in this run (suite "
            f"{claim.suite} did not run, or not with both index states)"
        )
    if len(measured) < MIN_SIZES:
        return (
            f"the claim is made at {rows:,} rows, which this run did not measure, and a fit "
            f"needs {claim.series[0]} at {MIN_SIZES} or more sizes (the growth mode: the "
            f"default or full profile, or perfproof bench --scaling); it measured {len(measured)}"
        )
    sizes = sorted(measured)
    pair = (claim.baseline, claim.candidate)
    rounds = {arm: [measured[n][2][arm] for n in sizes] for arm in pair}
    xs = [float(n) for n in sizes]
    fits = {arm: best_fit(xs, [float(np.median(r)) for r in per]) for arm, per in rounds.items()}

    def reduction(laws: dict[str, Fit]) -> float | None:
        """1 - candidate / baseline at ``rows``; None where a law predicts no time at all."""
        before, after = laws[claim.baseline].predict(rows), laws[claim.candidate].predict(rows)
        return 1.0 - after / before if before > 0 and after > 0 else None

    point = reduction(fits)
    if point is None:
        return (
            f"the growth fit predicts no positive time at {rows:,} rows (unindexed "
            f"{fits[claim.baseline].formula()}, indexed {fits[claim.candidate].formula()}): "
            "the laws do not reach that size"
        )
    low, high, draws = refitted_interval(fits, {arm: xs for arm in fits}, rounds, reduction)
    outside = not sizes[0] <= rows <= sizes[-1]
    table = measured[sizes[0]][1]
    estimate = Estimate(
        point, low, high, sum(len(r) for per in rounds.values() for r in per),
        f"growth fit at {rows:,} rows: bootstrap over every size's rounds, laws refitted "
        f"({REFIT_RESAMPLES} resamples)",
    )  # fmt: skip
    details = {
        "scale": f"{rows:,} {table}" + (" (extrapolated)" if outside else " (interpolated)"),
        "rows": rows, "size_table": table, "at_rows": rows, "interpolated": not outside,
        "extrapolation": outside, "measured_rows": sizes,
        "resamples_without_time": REFIT_RESAMPLES - draws,
        "laws": {a: {"law": f.law, "formula": f.formula(), "r2": f.r2} for a, f in fits.items()},
    }  # fmt: skip
    return estimate, details
