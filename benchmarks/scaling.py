"""The growth mode's verdicts: each growth series fitted across data sizes, and the "before →
after" question.

A write-up says a query went from one time to another (the seed's: the orders
query, 1.3 s to ~200 ms). That only means something at some data size, so the
query's unindexed series is fitted across the sizes measured, and the fit is
asked at which size it would take the "before" time on this machine, and what
the indexed query would take there. Beyond the largest size measured that
answer is an extrapolation, and says so. The times come from the claims file
(an ``absolute_reduction`` claim's ``before_s`` and ``after_s``), passed in as
an :class:`AbsoluteGoal`: they are the write-up's numbers, not this module's.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from benchmarks.growth import MIN_SIZES, POWER, Fit, choose, fit_all, size_for


@dataclass(frozen=True)
class AbsoluteGoal:
    """A write-up's "before → after" times of one growth series."""

    series: str
    before_s: float  # unindexed
    after_s: float  # indexed, as claimed


def growth_points(
    rows: Iterable[Mapping[str, Any]],
) -> dict[tuple[str, str], list[tuple[int, float]]]:
    """(series, indexes) -> [(rows of the size table, median seconds)], one point per size."""
    times: dict[tuple[str, str, int], list[float]] = defaultdict(list)
    for row in rows:
        if row["suite"] == "queries" and row["metric"] == "time":
            times[(row["series"], row["indexes"], int(row["rows"]))].append(float(row["value"]))
    points: dict[tuple[str, str], list[tuple[int, float]]] = defaultdict(list)
    for (series, indexes, size), values in sorted(times.items()):
        points[(series, indexes)].append((size, statistics.median(values)))
    return dict(points)


def _fit_document(fit: Fit) -> dict[str, Any]:
    return {
        "law": fit.law,
        "formula": fit.formula(),
        "a": fit.a,
        "b": fit.b,
        "r2": fit.r2,
        "residuals_s": list(fit.residuals),
        "aic": fit.aic,
    }


def analyse(
    rows: Iterable[Mapping[str, Any]], growth_series: set[str], goal: AbsoluteGoal | None = None
) -> dict[str, Any]:
    """Every growth series measured at ``MIN_SIZES`` sizes or more, fitted; ``goal``'s answer."""
    points = growth_points(rows)
    fitted: dict[str, Any] = {}
    fits: dict[tuple[str, str], Fit] = {}
    for (series, indexes), measured in points.items():
        if series not in growth_series or len(measured) < MIN_SIZES:
            continue
        sizes = [float(n) for n, _ in measured]
        seconds = [t for _, t in measured]
        every = fit_all(sizes, seconds)
        chosen = choose(every, sizes, seconds)
        fits[(series, indexes)] = chosen
        fitted[f"{series} indexes={indexes}"] = {
            "series": series,
            "indexes": indexes,
            "points": [{"rows": n, "median_s": t} for n, t in measured],
            "chosen": _fit_document(chosen),
            "power_exponent_k": next(fit.b for fit in every if fit.law == POWER),
            "all": [_fit_document(fit) for fit in every],
        }
    if goal is None:
        absolute = {"kind": "no goal", "note": "the claims file gives no before_s and after_s"}
        return {"series": fitted, "absolute": absolute}
    return {"series": fitted, "absolute": _absolute(points, fits, goal)}


def _absolute(
    points: Mapping[tuple[str, str], list[tuple[int, float]]],
    fits: Mapping[tuple[str, str], Fit],
    goal: AbsoluteGoal,
) -> dict[str, Any]:
    off_points = points.get((goal.series, "off"), [])
    answer: dict[str, Any] = {
        "series": goal.series,
        "target_unindexed_s": goal.before_s,
        "claimed_indexed_s": goal.after_s,
    }
    reached = [(n, t) for n, t in off_points if t >= goal.before_s]
    if reached:
        first, seconds = reached[0]
        indexed = dict(points.get((goal.series, "on"), []))
        answer.update(
            kind="measured",
            orders_rows=first,
            unindexed_s=seconds,
            indexed_s=indexed.get(first),
            note=f"measured: the unindexed query took {seconds:.2f} s at {first:,} orders",
        )
        return answer
    off, on = fits.get((goal.series, "off")), fits.get((goal.series, "on"))
    if off is None or on is None:
        answer.update(
            kind="no evidence",
            note=f"needs the growth mode over {MIN_SIZES} or more data sizes",
        )
        return answer
    found = size_for(off, goal.before_s)
    if found is None:
        answer.update(
            kind="never",
            note=f"the fitted law ({off.law}) never reaches {goal.before_s:g} s",
        )
        return answer
    size, largest = found, float(max(n for n, _ in off_points))
    answer.update(
        kind="extrapolation" if size > largest else "interpolation",
        orders_rows=round(size),
        largest_measured_rows=largest,
        unindexed_law=off.formula(),
        indexed_law=on.formula(),
        indexed_s=on.predict(size),
        note=(
            f"{'EXTRAPOLATION ' if size > largest else ''}from {len(off_points)} sizes up to "
            f"{largest:,.0f} orders: the unindexed query would take {goal.before_s:g} s at about "
            f"{size:,.0f} orders ({off.law}); the indexed one {on.predict(size) * 1e3:.2f} ms "
            f"there ({on.law})"
        ),
    )
    return answer
