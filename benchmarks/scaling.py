"""The growth mode's verdicts: each growth series fitted across data sizes, and the 1.3 s question.

The write-up says the orders query went from 1.3 s to ~200 ms. That only means
something at some data size, so the unindexed orders history of the heaviest
buyer is fitted across the sizes measured, and the fit is asked at which
orders-table size it would take 1.3 s on this machine, and what the indexed
query would take there. Beyond the largest size measured that answer is an
extrapolation, and says so.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from benchmarks.growth import MIN_SIZES, POWER, Fit, choose, fit_all, size_for

ABSOLUTE_SERIES = "orders.list_for_user[heavy]"
ABSOLUTE_SECONDS = 1.3  # the write-up's unindexed orders query
CLAIMED_INDEXED_SECONDS = 0.2  # and its indexed one


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


def analyse(rows: Iterable[Mapping[str, Any]], growth_series: set[str]) -> dict[str, Any]:
    """Every growth series measured at ``MIN_SIZES`` sizes or more, fitted; the 1.3 s answer."""
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
    return {"series": fitted, "absolute": _absolute(points, fits)}


def _absolute(
    points: Mapping[tuple[str, str], list[tuple[int, float]]],
    fits: Mapping[tuple[str, str], Fit],
) -> dict[str, Any]:
    off_points = points.get((ABSOLUTE_SERIES, "off"), [])
    answer: dict[str, Any] = {
        "series": ABSOLUTE_SERIES,
        "target_unindexed_s": ABSOLUTE_SECONDS,
        "claimed_indexed_s": CLAIMED_INDEXED_SECONDS,
    }
    reached = [(n, t) for n, t in off_points if t >= ABSOLUTE_SECONDS]
    if reached:
        first, seconds = reached[0]
        indexed = dict(points.get((ABSOLUTE_SERIES, "on"), []))
        answer.update(
            kind="measured",
            orders_rows=first,
            unindexed_s=seconds,
            indexed_s=indexed.get(first),
            note=f"measured: the unindexed query took {seconds:.2f} s at {first:,} orders",
        )
        return answer
    off, on = fits.get((ABSOLUTE_SERIES, "off")), fits.get((ABSOLUTE_SERIES, "on"))
    if off is None or on is None:
        answer.update(
            kind="no evidence",
            note=f"needs the growth mode over {MIN_SIZES} or more data sizes",
        )
        return answer
    found = size_for(off, ABSOLUTE_SECONDS)
    if found is None:
        answer.update(
            kind="never",
            note=f"the fitted law ({off.law}) never reaches {ABSOLUTE_SECONDS} s",
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
            f"{largest:,.0f} orders: the unindexed query would take {ABSOLUTE_SECONDS} s at about "
            f"{size:,.0f} orders ({off.law}); the indexed one {on.predict(size) * 1e3:.2f} ms "
            f"there ({on.law})"
        ),
    )
    return answer
