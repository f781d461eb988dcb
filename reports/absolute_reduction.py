"""A "before → after" claim (the seed's "1.3 s → ~200 ms"): judged at the data size where the
unindexed query takes the claim's ``before_s``.

That size comes from the growth fit (``benchmarks/growth.py``): the law chosen
for the unindexed series gives the size at which it would take ``before_s``,
the indexed series' law what the indexed query takes there. The
interval resamples every size's rounds (each arm's law held fixed, so the
interval is about the data, not about which law wins) and refits; beyond the
largest size measured the answer is an extrapolation, and is flagged so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from benchmarks.growth import MIN_SIZES, Fit, best_fit, fit_law, size_for
from reports.estimates import CONFIDENCE, SEED, Estimate

if TYPE_CHECKING:
    import pandas as pd

# Fewer than the 4999 of reports/estimates.py on purpose: each resample here refits
# both arms' laws in Python, where a median bootstrap is one vectorised call. Measured
# on the synthetic growth rows of tests/reports/test_evaluate.py (4 sizes): 4999 refits
# take 1.5 s per claim, 999 take 0.3 s, with the same interval to four decimals; 4999
# median resamples take 9 ms.
REFIT_RESAMPLES = 999


def refitted_interval(
    fits: Mapping[str, Fit],
    sizes: Mapping[str, Sequence[float]],
    rounds: Mapping[str, Sequence[np.ndarray]],
    reduction: Callable[[dict[str, Fit]], float | None],
) -> tuple[float | None, float | None, int]:
    """A percentile interval of ``reduction`` over the growth fit: each size's rounds
    resampled, each arm's law refitted (the law held fixed), ``REFIT_RESAMPLES`` times.

    Returns (low, high, the resamples ``reduction`` gave a value for); no ends when none
    did. Used by the absolute claim and by any claim judged at a size the run did not
    measure (``reports/per_size.py``).
    """
    rng = np.random.default_rng(SEED)
    draws: list[float] = []
    for _ in range(REFIT_RESAMPLES):
        refits = {
            arm: fit_law(fits[arm].law, list(sizes[arm]),
                         [float(np.median(rng.choice(r, len(r)))) for r in rounds[arm]])
            for arm in fits
        }  # fmt: skip
        found = reduction(refits)
        if found is not None:
            draws.append(found)
    if not draws:
        return None, None, 0
    tail = (1 - CONFIDENCE) / 2
    low, high = (float(q) for q in np.quantile(draws, [tail, 1 - tail]))
    return low, high, len(draws)


def _rounds(tidy: pd.DataFrame, series: str) -> dict[str, dict[int, np.ndarray]]:
    """indexes (on/off) -> rows of the size table -> every round's seconds."""
    if tidy.empty:
        return {}
    picked = tidy[(tidy["suite"] == "queries") & (tidy["series"] == series)
                  & (tidy["metric"] == "time")]  # fmt: skip
    collected: dict[str, dict[int, list[float]]] = {}
    for row in picked.to_dict("records"):
        by_size = collected.setdefault(str(row["indexes"]), {})
        by_size.setdefault(int(row["rows"]), []).append(float(row["value"]))
    return {
        arm: {size: np.array(values) for size, values in by_size.items()}
        for arm, by_size in collected.items()
    }


def _reduction(off: Fit, on: Fit, before_s: float) -> tuple[float, float] | None:
    size = size_for(off, before_s)
    if size is None:
        return None
    return 1.0 - on.predict(size) / before_s, size


def absolute_estimate(
    tidy: pd.DataFrame, series: str, before_s: float
) -> tuple[Estimate, dict[str, Any]] | str:
    """The estimate and its details, or why there is none (a sentence)."""
    rounds = _rounds(tidy, series)
    sizes = {arm: sorted(by_size) for arm, by_size in rounds.items()}
    measured = min((len(sizes.get(arm, [])) for arm in ("on", "off")), default=0)
    if measured < MIN_SIZES:
        return (
            f"needs {series} at {MIN_SIZES} or more data sizes, indexed and unindexed (the growth "
            f"mode: perfproof bench --scaling, or the default or full profile); this run measured "
            f"{measured}"
        )
    medians = {arm: [float(np.median(rounds[arm][n])) for n in sizes[arm]] for arm in ("on", "off")}
    fits = {arm: best_fit([float(n) for n in sizes[arm]], medians[arm]) for arm in ("on", "off")}
    point = _reduction(fits["off"], fits["on"], before_s)
    if point is None:
        return (
            f"the unindexed query's fitted law ({fits['off'].law}: {fits['off'].formula()}) never "
            f"reaches {before_s:g} s"
        )
    value, size = point

    def reduction(laws: dict[str, Fit]) -> float | None:
        found = _reduction(laws["off"], laws["on"], before_s)
        return None if found is None else found[0]

    low, high, draws = refitted_interval(
        fits,
        {arm: [float(n) for n in sizes[arm]] for arm in fits},
        {arm: [rounds[arm][n] for n in sizes[arm]] for arm in fits},
        reduction,
    )
    largest = max(sizes["off"])
    details = {
        "scale": f"{size:,.0f} {'orders (extrapolated)' if size > largest else 'orders'}",
        "target_unindexed_s": before_s,
        "orders_rows": round(size),
        "largest_measured_rows": largest,
        "extrapolation": size > largest,
        "indexed_s": fits["on"].predict(size),
        "laws": {
            arm: {"law": fits[arm].law, "formula": fits[arm].formula(), "r2": fits[arm].r2}
            for arm in ("on", "off")
        },
        "points": {
            arm: [{"rows": n, "median_s": m} for n, m in zip(sizes[arm], medians[arm], strict=True)]
            for arm in ("on", "off")
        },
        "resamples": REFIT_RESAMPLES,
        "resamples_never_reaching": REFIT_RESAMPLES - draws,
    }
    total = sum(len(v) for by_size in rounds.values() for v in by_size.values())
    estimate = Estimate(
        value,
        low,
        high,
        total,
        f"bootstrap over every size's rounds, laws refitted ({REFIT_RESAMPLES} resamples)",
    )
    return estimate, details
